# horrors — 繁體中文（台灣／香港用語）。與 locales/en/horrors.ftl 的訊息 id 和
# { $預留位置 } 一一對應。方法術語依 docs/glossary.md 統一：失誤、紀錄、等級
# （最嚴重／更嚴重／嚴重）、改善週期、重點、發生次數、柏拉圖、累計占比、痛感、成本。

## 語言本身的名稱（顯示在語言切換中）

language-name = 繁體中文
language-short = 繁體

## 每個頁面的框架

layout-skip = 跳到主要內容
layout-pages = 頁面
layout-language = 語言
layout-logout = 登出
nav-tally = 計數
nav-dashboard = 儀表板
nav-admin = 管理
role-staff = 員工
role-viewer = 檢視者
role-admin = 管理員

## 403 頁面

forbidden-title = 沒有權限
forbidden-heading = 此頁面需要「{ $role }」角色
forbidden-signed-in = 你目前以 { $name } 的身分登入，角色是「{ $role }」。
forbidden-ask = 請向管理員申請「{ $role }」權杖。
forbidden-own-page = 前往你自己的頁面

## 登入

login-title = 登入
login-signed-in = 你已經以 { $name }（{ $role }）的身分登入。
login-go-home = 前往你的頁面，
login-switch = 或在下方貼上另一個權杖來切換。
login-intro = 請貼上管理員給你的權杖。之後這台裝置會保持登入 { $days } 天，除非權杖被撤銷。
login-token = 權杖
login-submit = 登入
login-error-origin = 這次登入不是從本站自己的登入頁面送出的。
login-error-empty = 請先貼上權杖。
login-error-unknown = 這個權杖無效或已被撤銷。請檢查一下，或向管理員申請新的權杖。
login-error-logout = 請使用本站頁面上的按鈕登出。
login-with-provider = 使用 { $provider } 登入
login-or-token = 或貼上權杖：
oidc-error-not-configured = 此處未設定透過身分提供者登入。請改為貼上權杖。
oidc-error-unreachable = 暫時無法連線身分提供者。請一分鐘後再試，或貼上權杖。
oidc-error-state = 這次登入無效：它已被使用、已超過 10 分鐘，或不是在此瀏覽器中發起的。請用按鈕重新開始。
oidc-error-provider = 身分提供者沒有讓你登入。
oidc-error-token = 無法驗證身分提供者的回覆，因此你沒有登入。請重新開始；如果再次發生，請告知 IT。
oidc-error-no-role = 你的帳戶不在任何可以使用 horrors 的群組中。請讓 IT 把你加入 horrors 所設定的某個群組。
oidc-error-site = 你的帳戶指定了 horrors 不認識的站點。請讓 IT 更正你帳戶中的站點。

## 計數（第一線員工，在手機上使用）

tally-title = 計數
tally-noscript = 計數頁面需要 JavaScript 才能記錄點擊，請為本站開啟。
tally-department = 部門
tally-department-choose = 請選擇你的部門…
tally-complaint = 顧客客訴了
tally-more = 更多：數量、備註
tally-qty = 數量
tally-note = 備註
tally-next-only = 只用於下一次點擊。
tally-lead = 每發生一次，就點一下。
tally-chosen = 已選取「{ $name }」（來自檢查表上的 QR 碼）：每發生一次，就點一下下面第一個按鈕。
tally-today = 今天
tally-site = 站點：
tally-undo = 復原
tally-change-site = 更換站點
tally-pick-heading = 你在哪個站點？
tally-pick-lead = 第一次點擊前先選擇站點。這支手機會記住它；可以在計數頁頂端更換。
tally-pick-none = 目前沒有可以記錄的站點。請管理員新增一個。

## 計數：頁面指令碼使用的文字

tally-state-saved = 已儲存 ✓
tally-state-queued = 排隊中
tally-state-saving = 儲存中…
tally-waiting = { $count } 筆等待同步
tally-waiting-problem = { $count } 筆等待同步——{ $problem }
tally-all-saved = 所有點擊都已儲存。
tally-choose-department = 請先選擇部門；這支手機會記住它。
tally-tapped = { $name } +{ $qty }
tally-tapped-complaint = { $name } +{ $qty }（客訴）
tally-line = { $what } — { $status }
tally-status-saving = 儲存中…
tally-status-offline = 已存在這支手機上，連上網路後會自動同步
tally-status-waiting = 正在等待網路
tally-status-saved = 已儲存 ✓
tally-problem-session = 登入已過期：請重新登入（點擊紀錄仍保存在這支手機上）
tally-problem-reload = 請重新整理頁面以繼續同步
tally-problem-busy = 伺服器忙碌中，正在重試
tally-not-recorded = 未記錄——{ $reasons }
tally-rejected = { $name }：{ $reason }
tally-refused = 被伺服器拒絕
tally-undoing = 正在復原 { $name }…
tally-undone-unsent = 已復原：{ $name }（尚未送出）。
tally-still-saving = 仍在儲存——請稍後再按一次「復原」。
tally-undone = 已復原：{ $name }。
tally-too-late = 已超過 15 分鐘，無法復原；請聯絡管理員作廢。
tally-undo-failed = 復原失敗（{ $status }），請再試一次。
tally-undo-offline = 復原需要網路；請連上網路後再試。
tally-logout-confirm = 還有 { $count } 筆點擊尚未同步。它們會保存在這支手機上，下次登入後同步。仍要登出嗎？

## 方法術語（各處通用，見 docs/glossary.md）

tier-worst = 最嚴重
tier-worse = 更嚴重
tier-bad = 嚴重
badge-focus = 重點
badge-focus-title = 此時段內某個改善週期的重點
alerts-heading = { $count } 則未結束的警報：高於平常水準、仍在持續的上升
alert-episode = { $horror }：自 { $since } 起高於平常水準，{ $days } 個訊號日，{ $rate }，平常為{ $usual }
alert-episode-site = { $site } 的 { $horror }：自 { $since } 起高於平常水準，{ $days } 個訊號日，{ $rate }，平常為{ $usual }
rate-per-day = 每天 { $rate }
rate-per-volume = 每 1,000 { $unit } { $rate }
badge-not-ahead = 未明顯領先下一項
badge-not-ahead-title = 目前的次數還不能說明這項失誤比下一項更重（對已結束日子的單側檢定，p ≥ 0.05）
change-noise = 無明顯變化
change-noise-title = 已結束日子的發生率與上一時段沒有明顯差別（檢定已考慮偶然與成批發生；q ≥ 0.05）
change-too-few = 次數太少，無法判斷
change-too-few-title = 已結束日子的次數太少，無法把變化與偶然區分開
change-clear = 明顯變化
change-clear-title = 已結束日子的發生率與上一時段明顯不同（q < 0.05，已考慮同時檢定的所有失誤與地點）
badge-retired = 已停用
cycle-status-planned = 尚未開始
cycle-status-running = 進行中
cycle-status-finished = 已結束

## 儀表板（主管）

dashboard-title = 儀表板
dashboard-question = 我們應該先解決什麼？
span-today = 今天
span-last-days = 最近 { $days } 天
span-custom = { $from } 至 { $to }
span-cycle = 在改善週期「{ $name }」中
span-previous-day = 前一天
span-previous-days = 之前 { $days } 天
span-cycle-previous-day = 它之前的一天
span-cycle-previous-days = 它之前的 { $days } 天
fix-first-nothing = { $span }沒有任何紀錄：每次失誤發生時都記一下，再回來看看應該先解決什麼。
fix-first = 先解決：{ $name }——占優先分數的 { $share }，{ $span }發生 { $count } 次{ $complaints ->
        [0] {""}
       *[other] （其中 { $complaints } 次客訴）
    }，成本 { $cost }；{ $change }。
change-up = 比{ $previous }上升 { $pct }
change-down = 比{ $previous }下降 { $pct }
change-same = 與{ $previous }持平
change-none = { $previous }沒有紀錄
change-clear-up = 比{ $previous }上升 { $pct }，是明顯變化
change-clear-down = 比{ $previous }下降 { $pct }，是明顯變化
change-unclear = 與{ $previous }相比無明顯變化
change-unknown = 次數太少，無法判斷與{ $previous }相比的變化
pareto-line = 在 { $total } 項失誤中，前 { $top } 項占優先分數的 { $share }。
dashboard-bad-window = 無法顯示這個時段（{ $problem }），改為顯示最近 { $days } 天。
dashboard-ranking = 排名
dashboard-window-note = { $from } 至 { $to }（{ $days } 天），與 { $previous_from } 至 { $previous_to } 比較。共 { $count } 次，成本 { $cost }；{ $change }。
total-change-up = 比上一時段上升 { $pct }（{ $previous }）
total-change-down = 比上一時段下降 { $pct }（{ $previous }）
total-change-same = 與上一時段持平（{ $previous }）
total-change-none = 上一時段沒有紀錄
dashboard-caption = { $span }依優先順序排列的失誤
col-rank = 排名
col-horror = 失誤
col-tier = 等級
col-count = 次數
col-complaints = 客訴
col-cost-in = 成本（{ $currency }）
col-previous = 上一時段
col-change = 變化
dashboard-total = 合計
dashboard-tiers-hint = 等級依優先分數（痛感和成本）劃分：先是{ $worst }，接著是{ $worse }，最後是{ $bad }。次數上升以紅色顯示。
change-cell-up = 上升
change-cell-down = 下降
change-cell-same = 不變
change-cell-new = 新增
dashboard-charts = 圖表
dashboard-chart-pareto = 柏拉圖：優先順序與累計占比
dashboard-chart-pareto-alt = 依優先順序排列的各項失誤優先分數長條圖，依等級著色，並附累計占比曲線與 80% 參考線。
dashboard-chart-compare = 本時段與上一時段比較
dashboard-chart-compare-alt = 每項失誤在上一時段與本時段的次數並排比較。
dashboard-chart-cost = 各項失誤的成本
dashboard-chart-cost-alt = 本時段內每項失誤的總成本。
dashboard-chart-trend = 趨勢
dashboard-chart-trend-alt = 各項失誤隨時間變化的次數，以及加權失誤指數。
dashboard-chart-matrix = 痛感與成本
dashboard-chart-matrix-alt = 依顧客痛感和成本標出每項失誤，泡泡大小代表次數；右上象限傷害最大。
dashboard-exports = 匯出
export-ranking = 排名（CSV）
export-ticks = 全部紀錄（CSV）
export-this-window = 本時段
export-annual = { $year } 年度檢討（ZIP）
export-annual-note = 試算表、圖表、可列印的報告
picker-window = 時段
picker-last-days = 最近 { $days } 天
picker-custom = 自訂日期
picker-from = 從
picker-to = 到
picker-show = 顯示
picker-cycle-legend = 改善週期
picker-no-cycles = 還沒有改善週期。管理員可以在「管理」頁面開始一個。
picker-cycle = 週期
picker-cycle-option = { $name }（{ $start } 至 { $end }，{ $status }）
dashboard-question-site = { $site }應該先解決什麼？
picker-site-heading = 站點
picker-all-sites = 所有站點
picker-site-retired = { $site }（已停用）
compare-sites-link = 比較各站點
col-rate = 每 1,000 { $unit }
dashboard-volume-note = 比率以每 1,000 { $unit } 計算，只計入已記錄業務量的日子：本時段共 { $units } { $unit }，{ $pairs } 個站點日。
compare-sites = 比較各站點
compare-sites-intro = 本時段內每個站點各自的排名：次數、成本、每 1,000 業務量的比率（已記錄業務量時）與排在最前的失誤。開啟一個站點可檢視它的完整排名。
compare-no-site = （無站點）
col-site = 站點
col-top-horror = 排在最前的失誤
dashboard-chart-sites = 各站點的柏拉圖
dashboard-chart-sites-alt = 每個站點一張小柏拉圖，依優先順序排列該站點的失誤。
volume-heading = 業務量
volume-intro = 記錄某一天處理了多少 { $unit }，就能以每 1,000 { $unit } 檢視失誤。同一天、同一站點再次儲存會取代原本的數字。
volume-day = 日期
volume-site = 站點
volume-units = { $unit } 數量
volume-save = 儲存業務量
volume-units-whole = 請輸入 0 或更大的整數。
volume-saving = 正在儲存…
volume-saved = 已儲存：{ $day } 共 { $units } { $unit }。
volume-saved-at = 已儲存：{ $site } { $day } 共 { $units } { $unit }。

## 管理

list-separator = 、
admin-title = 管理
admin-sections = 區塊
admin-saved-catalogue = 失誤清單已儲存。
admin-saved-cycle = 改善週期已儲存。
admin-catalogue = 失誤清單
admin-tokens = 權杖
admin-cycles = 改善週期與重點
admin-catalogue-intro = 列出 { $min } 到 { $max } 項最可能讓顧客失望的失誤，順序就是員工看到的順序。移出清單的失誤會停用：它的紀錄仍然保留，重新加入它的代碼就能恢復。代碼一經儲存就不能更改。
admin-add-horror = 新增一項失誤
admin-save-catalogue = 儲存清單
admin-retired = 已停用
admin-add-back = 重新加入
admin-horror-number = 失誤 { $number }
admin-key = 代碼
admin-key-fixed = 代碼不能更改
admin-name = 名稱
admin-description = 說明（選填）
admin-pain = 痛感（1–10）
admin-unit-cost = 單次成本（{ $currency }）
admin-operational = 也影響營運
admin-move-up = 上移
admin-remove = 移除
admin-tokens-intro = 每個人或每台裝置使用自己的權杖：{ $staff }負責計數；{ $viewer }還能查看儀表板和匯出；{ $admin }還能修改失誤清單、改善週期和權杖。權杖一經撤銷立即失效，它的登入也隨之失效。
admin-token-name-example = 例如：調度手機 2
admin-role = 角色
admin-create-token = 建立權杖
admin-new-token = { $name } 的新權杖。請立即複製：它只會顯示這一次。
admin-copy = 複製
admin-created = 建立日期
admin-status = 狀態
admin-action = 動作
admin-you = 你
admin-token-active = 有效
admin-token-revoked = 已於 { $date } 撤銷
admin-revoke = 撤銷
admin-cycles-intro = 改善週期是一段時間，團隊在其中最多集中解決 { $max } 項重點失誤，重點從排名最前面挑選。週期結束後再統計一次，看看它們是否減少。
admin-no-cycles = 還沒有改善週期。
admin-cycle-line = { $start } 至 { $end }（{ $days } 天，{ $status }）。重點：{ $focus }。
admin-focus-none = 無
admin-cycle-ranking = 查看此週期的排名
admin-edit-cycle = 編輯 { $name }
admin-save-cycle = 儲存週期
admin-start-cycle-heading = 開始一個改善週期
admin-start-cycle = 開始週期
admin-first-day = 第一天
admin-days = 天數
admin-focus-legend = 重點（最多 { $max } 項）
admin-note = 備註（選填）
admin-token-site = 站點
admin-token-any-site = 所有站點（不綁定）
admin-token-site-hint = 綁定站點的權杖只能在該站點記錄與檢視。管理員權杖不能綁定。
admin-token-all-sites = 所有站點

## 管理：頁面指令碼使用的文字

admin-unreachable = 無法連線到伺服器；請檢查網路後再試一次。
admin-server-answered = 伺服器回應了 { $status }。
admin-catalogue-full = 清單已有 { $max } 項失誤；請先移除一項。
admin-pain-whole = 必須是 1 到 10 的整數
admin-token-name-needed = 請為權杖取個名稱，例如使用它的人或裝置。
admin-new-token-for = { $name }（{ $role }）
admin-copied = 已複製
admin-revoke-confirm = 撤銷「{ $name }」？所有使用它的裝置會立即停止運作。
admin-revoke-own-confirm = 撤銷「{ $name }」？這是你目前登入所用的權杖：你將被登出。
admin-days-whole = 必須是整數天

## 圖表（標題、圖例、座標軸和提示；失誤名稱依原樣顯示）

chart-no-ticks = 此時段沒有紀錄
chart-occurrences = { $count } 次
chart-pareto-groups-title = 依{ $group }的失誤等級 — { $organization }
chart-pareto-groups-more = 另有 { $count } 組未顯示
chart-pareto-groups-top = 首位：{ $horror }
group-site = 站點
group-department = 部門
group-source = 來源
group-none = （無）
chart-pareto-title = 失誤等級 — { $organization }
chart-pareto-subtitle = { $window } · 依優先順序 · 共 { $count } 次
chart-cumulative-share-key = 優先分數累計占比
chart-axis-occurrences = 發生次數
chart-axis-cumulative-share = 累計占比
chart-cost-title = 失誤成本 — { $organization }
chart-cost-subtitle = { $window } · 合計 { $cost }
chart-axis-cost = 時段內成本（{ $currency }）
chart-trend-title = 失誤趨勢 — { $organization }
chart-trend-subtitle = { $window } · { $bucket } · 共 { $count } 次
chart-by-day = 按日
chart-by-week = 按週
chart-by-month = 按月
chart-index-key = 痛感指數（右軸）
chart-axis-pain-points = 痛感分數
chart-so-far = 至今

## 管制圖（SPEC §18）
chart-control-title = 管制圖 — { $horror } — { $organization }
chart-control-subtitle = { $window } · { $bucket } · φ = { $phi } · 訊號 { $signals } 個
chart-control-all = 全部失誤
chart-control-rate = 發生率
chart-control-centre = 中心線（此前的平常水準）
chart-control-limits = 管制界限
chart-control-signal = 超出管制界限，或持續上升（圓圈）
chart-axis-per-day = 每日次數
chart-axis-per-volume = 每 1,000 { $unit }
chart-compare-title = 改善前後 — { $organization }
chart-compare-subtitle = { $before } 與 { $after } 比較
chart-compare-before = 之前：{ $window }
chart-compare-after = 之後：{ $window }
chart-new = 新增
chart-matrix-title = 痛感與成本 — { $organization }
chart-matrix-subtitle = { $window } · 泡泡面積 = 發生次數
chart-axis-pain = 顧客痛感（1–10）
chart-fix-first = 優先解決

## 年度檢討：review.html

verdict-improved = 改善
verdict-no_clear_change = 無明顯變化
verdict-not_started = 尚未開始
verdict-worse = 惡化
verdict-too_few = 次數太少，無法判斷
verdict-interim-improved = 期中：改善
verdict-interim-worse = 期中：惡化
verdict-interim-no_clear_change = 期中：暫無明顯變化
verdict-interim-too_few = 期中：次數仍太少，無法判斷
review-title = { $year } 年度檢討
review-lede = { $organization }，{ $from } 至 { $to }（{ $timezone }）。
review-fix-first = 先解決：{ $name }——{ $details }。
review-fix-first-details = 發生 { $count } 次，成本 { $cost }，占全年優先分數的 { $share }
review-no-ticks = 今年沒有任何紀錄。
review-totals = { $year } 年共 { $count } 次（{ $previous_year } 年 { $previous_count } 次），成本 { $cost }（{ $previous_year } 年 { $previous_cost }）。
review-ranking = { $year } 年排名
review-col-cost = 成本 { $currency }
review-col-pain-points = 痛感分數
review-col-score = 優先分數
review-col-versus = 與 { $year } 比較
review-caption-pareto = 優先順序（柏拉圖）——依等級著色的長條、累計占比、80% 參考線，{ $year } 年。
review-caption-cost = 各項失誤的成本，{ $year } 年。
review-caption-matrix = 痛感與成本——先解決右上角，{ $year } 年。
review-caption-trend = 每週次數與加權痛感指數，{ $year } 年。
review-caption-compare = 改善前後，{ $year } 年。
review-cycles = 改善週期
review-no-cycles = { $year } 年沒有改善週期。
review-col-cycle = 週期
review-col-window = 時段
review-col-focus = 重點
review-col-before = 之前
review-col-during = 期間
review-col-verdict = 結論
review-no-focus = 這個週期沒有選擇重點失誤。
review-by-month = 按月
review-col-month = 月份
review-col-worst-horror = 最嚴重的失誤
review-year-before = 前一年：{ $year }
review-caption-pareto-before = 優先順序（柏拉圖），{ $year } 年。
review-made = 由 horrors 於 { $made } 產生。每個數字的計算方式請見 README.txt。
review-title-site = { $year } 年度檢討：{ $site }
review-organization-site = { $organization }，站點 { $site }（{ $key }）
readme-site = 本檢討只涵蓋一個站點：{ $site }（{ $key }）。其中的紀錄、排名、圖表和改善週期結果都不計入其他站點；不指定站點即可產生整個組織的檢討。

## 年度檢討：review.xlsx（工作表名稱最多 31 個字元，不能含 : \ / ? * [ ]）

xlsx-sheet-ranking = 排名
xlsx-sheet-by-month = 按月
xlsx-sheet-cycles = 改善週期
xlsx-sheet-ticks = 紀錄
xlsx-sheet-year-over-year = 年度比較
xlsx-month = 月份
xlsx-rank = 排名
xlsx-key = 代碼
xlsx-horror = 失誤
xlsx-tier = 等級
xlsx-count = 次數
xlsx-complaints = 客訴
xlsx-cost = 成本
xlsx-pain = 痛感
xlsx-pain-points = 痛感分數
xlsx-score = 優先分數
xlsx-cumulative = 累計占比
xlsx-change-vs-previous = 與上期相比的變化
xlsx-cycle = 週期
xlsx-start = 開始
xlsx-end = 結束
xlsx-status = 狀態
xlsx-focus = 重點
xlsx-before = 之前
xlsx-during = 期間
xlsx-cost-before = 之前成本
xlsx-cost-during = 期間成本
xlsx-change = 變化
xlsx-verdict = 結論
xlsx-no-focus = （沒有重點失誤）
xlsx-id = 編號
xlsx-day = 日期
xlsx-occurred-at = 發生時間（UTC）
xlsx-qty = 數量
xlsx-source = 來源
xlsx-department = 部門
xlsx-note = 備註
xlsx-recorded-by = 記錄人
xlsx-truncated = … 這裡只列出前 { $rows } 筆紀錄；ticks.csv 裡有全部紀錄
xlsx-count-in = { $year } 年次數
xlsx-cost-in = { $year } 年成本
source-internal = 內部發現
source-complaint = 顧客客訴

## 年度檢討：README.txt

readme =
    { $year } 年度檢討 - { $organization }
    ==========================================

    由 horrors 於 { $made } 產生，統計 { $timezone } 時區的 { $year } 曆年
    （{ $from } 至 { $to }；每筆紀錄依其 occurred_at 在該時區的當地日期歸入某一天）。
    金額單位為 { $currency }。已作廢的紀錄在任何地方都不計入。

    包含的檔案
    - ranking.csv            全年排名（依優先順序），每項失誤一列
    - ranking-{ $previous_year }.csv       { $previous_year } 年的相同內容（該年有紀錄時）
    - ranking-by-month.csv   { $year } 年每個月的排名
    - ticks.csv              { $year } 年的全部紀錄，由舊到新
    - cycles.csv             與 { $year } 年重疊的改善週期，每項重點失誤一列
    - nominations.csv        { $year } 年提出的失誤提名（支持最多的在前）及其結果（已採納、已拒絕或待定）：下一輪方法從這裡開始
    - review.xlsx            相同內容的試算表：排名、按月、改善週期、紀錄、年度比較
    - review.html            可列印的報告，圖表內嵌（A4）
    - charts/                { $year } 年（以及有紀錄時的 { $previous_year } 年）的柏拉圖、成本圖、趨勢圖、比較圖和矩陣圖，SVG 與 PNG

    計算方式
    count（次數）= qty 的總和；pain_points（痛感分數）= 次數 × 該失誤目前的痛感（1-10）；
    cost（成本）= 每筆紀錄成本的總和，成本在記錄時就已確定；
    score（優先分數）= (pain_weight × 痛感占比 + cost_weight × 成本占比) / 合計不為零的權重總和
    （pain_weight = { $pain_weight }，cost_weight = { $cost_weight }）；等級沿優先順序依累計分數劃分：
    前面的累計分數低於 { $worst } 時為「最嚴重」，低於 { $worse } 時為「更嚴重」，其餘為「嚴重」。
    change_pct 把每項失誤的次數與前一個曆年（或月）比較。
    CSV 檔案為含位元組順序標記（BOM）的 UTF-8；試算表會當成公式執行的儲存格以 ' 開頭。
    CSV 檔案的欄位名稱維持英文，方便程式讀取。

    合計：{ $year } 年：{ $count } 次，{ $cost } { $currency }；{ $previous_year } 年：{ $previous_count } 次，{ $previous_cost } { $currency }。

## 裝置登記（手機掃描 QR 碼）

enrol-title = 設定這台裝置
enrol-used = 這個設定碼已經用過了。每個碼只能用一次：請向管理員申請新的 QR 碼。
enrol-expired = 這個設定碼已過期（有效期 10 分鐘）。請向管理員申請新的 QR 碼。
enrol-unknown = 這個設定連結無效。請重新掃描 QR 碼，或向管理員申請新的 QR 碼。
enrol-login = 改用權杖登入

admin-devices = 裝置
admin-devices-intro = 不必輸入權杖即可設定手機：在這裡產生 QR 碼，用手機相機掃描。手機會以該裝置身分登入一年（員工計數，檢視者閱讀），位於你選擇的據點。每個碼只能用一次，有效期 10 分鐘。之後該裝置會出現在「權杖」中，可像其他權杖一樣撤銷。
admin-enrol-create = 產生 QR 碼
admin-enrol-ready = 請用手機相機掃描此 QR 碼。
admin-enrol-qr = 用於設定裝置的 QR 碼
admin-enrol-expires = 此碼失效時間：
admin-sessions = 工作階段
admin-sessions-intro = 目前登入的人與裝置：權杖登入和已登記的手機。結束工作階段會立即讓該瀏覽器登出，但權杖仍然有效。要徹底阻止某裝置或某人，請撤銷權杖。
admin-session-expires = 到期
admin-session-end = 結束工作階段
admin-session-this = 目前的工作階段

## The method end to end: sources, the complaint playbook, nominations, check sheets.

source-observer = 外部觀察
source-sheet = 紙本查檢表
tally-source = 來源
tally-source-internal = 內部發現
tally-observer = 我是外部觀察員
tally-playbook-heading = 顧客客訴了{ $name }：分五步回應
tally-playbook-close = 完成
playbook-apologise = 道歉。
playbook-who-we-are = 重申我們是誰、代表什麼。
playbook-handling = 說明將如何處理。
playbook-follow-up = 說明後續追蹤。
playbook-do-it = 說到做到，並追蹤。
admin-playbook = 客訴應對手冊
admin-playbook-hint = 顧客就此項客訴時員工應如何回應，分五部分。客訴計數後，計數頁會立即顯示，語言與手機一致（該語言為空時顯示英文）。
sheet-title = 檢查表
sheet-site = 站點
sheet-department = 部門
sheet-period = 期間
sheet-counted-by = 計數人
sheet-how = 每發生一次，就在當天的格子裡畫一筆（五筆一組，或寫「正」字）。也可以用手機掃描該項的 QR 碼計數。
sheet-enter = 表格填滿後，請在此登錄計數：
sheet-page = 頁
sheet-horror = 失誤
sheet-pain = 痛苦度
sheet-weekdays = 一 二 三 四 五 六 日
nominations-title = 提名
nominations-intro = 方法的第一步：列出我們最可能出錯的五到八件事。顧客最常客訴什麼？在這裡提出；支持你認同的提名；管理員會把最有力的提名採納為失誤項。
nominations-propose = 提出一項失誤
nominations-field-title = 出了什麼錯（簡短名稱）
nominations-field-description = 顧客客訴的內容
nominations-field-example = 舉例：顧客說了什麼，或發生了什麼
nominations-submit = 提出
nominations-list = 已提出的提名（支持最多的在前）
nominations-none = 還沒有提名。
nominations-supporters = { $count } 人支持
nominations-by = 由 { $by } 於 { $date } 提出
nominations-state-open = 待定
nominations-state-adopted = 已採納
nominations-state-declined = 已拒絕
nominations-adopted-as = 已採納為失誤項「{ $key }」。
nominations-declined-because = 已拒絕：{ $reason }
nominations-support = 支持
nominations-supported = 你已支持。
nominations-adopt = 採納為失誤項…
nominations-adopt-key = 鍵（a-z、0-9、-）
nominations-adopt-name = 名稱
nominations-adopt-pain = 痛苦度（1–10）
nominations-adopt-cost = 每次發生的成本
nominations-adopt-submit = 採納
nominations-decline = 拒絕…
nominations-decline-reason = 原因
nominations-decline-submit = 拒絕
nav-nominations = 提名
method-unreachable = 無法連線到伺服器。未儲存任何內容，請重試。
method-server-answered = 伺服器回應 { $status }。未儲存任何內容。
sheet-form-title = 登錄紙本檢查表
sheet-form-intro = 把填好的檢查表上的計數抄到這裡：每個失誤項每天一格（沒有就留空）。全部一次儲存，記為來自紙本表的計數；管理員可以作廢整張表。
sheet-form-print = 列印空白檢查表（PDF）
sheet-form-department = 部門
sheet-form-site = 站點
sheet-form-submit = 儲存檢查表
sheet-form-saved = 已儲存：檢查表上的 { $count } 次。
