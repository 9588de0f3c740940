# horrors — 简体中文。与 locales/en/horrors.ftl 的消息 id 和 { $占位符 } 一一对应。
# 方法术语按 docs/glossary.md 统一：失误、记录、等级（最严重/更严重/严重）、改进周期、
# 重点、发生次数、帕累托、累计占比、痛感、成本。

## 语言本身的名称（显示在语言切换中）

language-name = 简体中文
language-short = 简体

## 每个页面的框架

layout-skip = 跳到正文
layout-pages = 页面
layout-language = 语言
layout-logout = 退出登录
nav-tally = 计数
nav-dashboard = 看板
nav-admin = 管理
role-staff = 员工
role-viewer = 查看者
role-admin = 管理员

## 403 页面

forbidden-title = 无权访问
forbidden-heading = 此页面需要“{ $role }”角色
forbidden-signed-in = 你当前以 { $name } 的身份登录，角色是“{ $role }”。
forbidden-ask = 请向管理员申请“{ $role }”令牌。
forbidden-own-page = 前往你自己的页面

## 登录

login-title = 登录
login-signed-in = 你已以 { $name }（{ $role }）的身份登录。
login-go-home = 前往你的页面，
login-switch = 或在下方粘贴另一个令牌来切换。
login-intro = 请粘贴管理员给你的令牌。之后这台设备会保持登录 { $days } 天，除非令牌被吊销。
login-token = 令牌
login-submit = 登录
login-error-origin = 这次登录不是从本站自己的登录页面发起的。
login-error-empty = 请先粘贴令牌。
login-error-unknown = 该令牌无效或已被吊销。请检查，或向管理员申请新令牌。
login-error-logout = 请使用本站页面上的按钮退出登录。
login-with-provider = 使用 { $provider } 登录
login-or-token = 或粘贴令牌：
oidc-error-not-configured = 此处未设置通过身份提供方登录。请改为粘贴令牌。
oidc-error-unreachable = 暂时无法连接身份提供方。请一分钟后重试，或粘贴令牌。
oidc-error-state = 这次登录无效：它已被使用、已超过 10 分钟，或不是在此浏览器中发起的。请用按钮重新开始。
oidc-error-provider = 身份提供方没有让你登录。
oidc-error-token = 无法验证身份提供方的答复，因此你没有登录。请重新开始；如果再次发生，请告知 IT。
oidc-error-no-role = 你的账户不在任何可以使用 horrors 的组中。请让 IT 把你加入 horrors 所设置的某个组。
oidc-error-site = 你的账户指定了 horrors 不认识的站点。请让 IT 更正你账户中的站点。

## 计数（一线员工，手机上使用）

tally-title = 计数
tally-noscript = 计数页面需要 JavaScript 才能记录点击，请为本站开启。
tally-department = 部门
tally-department-choose = 请选择你的部门…
tally-complaint = 客户投诉了
tally-more = 更多：数量、备注
tally-qty = 数量
tally-note = 备注
tally-next-only = 只用于下一次点击。
tally-lead = 每发生一次，点一下。
tally-chosen = 已选中“{ $name }”（来自检查表上的二维码）：每发生一次，点一下下面第一个按钮。
tally-today = 今天
tally-site = 站点：
tally-undo = 撤销
tally-change-site = 更换站点
tally-pick-heading = 你在哪个站点？
tally-pick-lead = 第一次点击前先选择站点。这部手机会记住它；可以在计数页顶部更换。
tally-pick-none = 目前没有可以记录的站点。请让管理员添加一个。

## 计数：页面脚本使用的文字

tally-state-saved = 已保存 ✓
tally-state-queued = 排队中
tally-state-saving = 保存中…
tally-waiting = { $count } 条等待同步
tally-waiting-problem = { $count } 条等待同步——{ $problem }
tally-all-saved = 所有点击都已保存。
tally-choose-department = 请先选择部门；这部手机会记住它。
tally-tapped = { $name } +{ $qty }
tally-tapped-complaint = { $name } +{ $qty }（投诉）
tally-line = { $what } — { $status }
tally-status-saving = 保存中…
tally-status-offline = 已存在这部手机上，联网后自动同步
tally-status-waiting = 正在等待网络
tally-status-saved = 已保存 ✓
tally-problem-session = 登录已过期：请重新登录（点击记录仍保存在这部手机上）
tally-problem-reload = 请刷新页面以继续同步
tally-problem-busy = 服务器繁忙，正在重试
tally-not-recorded = 未记录——{ $reasons }
tally-rejected = { $name }：{ $reason }
tally-refused = 被服务器拒绝
tally-undoing = 正在撤销 { $name }…
tally-undone-unsent = 已撤销：{ $name }（尚未发送）。
tally-still-saving = 仍在保存——请稍后再按一次“撤销”。
tally-undone = 已撤销：{ $name }。
tally-too-late = 已超过 15 分钟，无法撤销；请联系管理员作废。
tally-undo-failed = 撤销失败（{ $status }），请重试。
tally-undo-offline = 撤销需要联网；请联网后再试。
tally-logout-confirm = 还有 { $count } 条点击未同步。它们会保存在这部手机上，下次登录后同步。仍要退出登录吗？

## 方法术语（各处通用，见 docs/glossary.md）

tier-worst = 最严重
tier-worse = 更严重
tier-bad = 严重
badge-focus = 重点
badge-focus-title = 此时段内某个改进周期的重点
alerts-heading = { $count } 条未结束的警报：高于平常水平、仍在持续的上升
alert-episode = { $horror }：自 { $since } 起高于平常水平，{ $days } 个信号日，{ $rate }，平常为{ $usual }
alert-episode-site = { $site } 的 { $horror }：自 { $since } 起高于平常水平，{ $days } 个信号日，{ $rate }，平常为{ $usual }
rate-per-day = 每天 { $rate }
rate-per-volume = 每 1,000 { $unit } { $rate }
badge-not-ahead = 未明显领先下一项
badge-not-ahead-title = 目前的次数还不能说明这项失误比下一项更重（对已结束日子的单侧检验，p ≥ 0.05）
change-noise = 无明显变化
change-noise-title = 已结束日子的发生率与上一时段没有明显差别（检验已考虑偶然与成批发生；q ≥ 0.05）
change-too-few = 次数太少，无法判断
change-too-few-title = 已结束日子的次数太少，无法把变化与偶然区分开
change-clear = 明显变化
change-clear-title = 已结束日子的发生率与上一时段明显不同（q < 0.05，已考虑同时检验的所有失误与地点）
badge-retired = 已停用
cycle-status-planned = 未开始
cycle-status-running = 进行中
cycle-status-finished = 已结束

## 看板（管理人员）

dashboard-title = 看板
dashboard-question = 我们应该先解决什么？
span-today = 今天
span-last-days = 最近 { $days } 天
span-custom = { $from } 至 { $to }
span-cycle = 在改进周期“{ $name }”中
span-previous-day = 前一天
span-previous-days = 之前 { $days } 天
span-cycle-previous-day = 它之前的一天
span-cycle-previous-days = 它之前的 { $days } 天
fix-first-nothing = { $span }没有任何记录：每次失误发生时都记一下，然后回来看看应该先解决什么。
fix-first = 先解决：{ $name }——占优先分数的 { $share }，{ $span }发生 { $count } 次{ $complaints ->
        [0] {""}
       *[other] （其中 { $complaints } 次投诉）
    }，成本 { $cost }；{ $change }。
change-up = 比{ $previous }上升 { $pct }
change-down = 比{ $previous }下降 { $pct }
change-same = 与{ $previous }持平
change-none = { $previous }没有记录
change-clear-up = 比{ $previous }上升 { $pct }，是明显变化
change-clear-down = 比{ $previous }下降 { $pct }，是明显变化
change-unclear = 与{ $previous }相比无明显变化
change-unknown = 次数太少，无法判断与{ $previous }相比的变化
pareto-line = 在 { $total } 项失误中，前 { $top } 项占优先分数的 { $share }。
dashboard-bad-window = 无法显示这个时段（{ $problem }），改为显示最近 { $days } 天。
dashboard-ranking = 排名
dashboard-window-note = { $from } 至 { $to }（{ $days } 天），对比 { $previous_from } 至 { $previous_to }。共 { $count } 次，成本 { $cost }；{ $change }。
total-change-up = 比上一时段上升 { $pct }（{ $previous }）
total-change-down = 比上一时段下降 { $pct }（{ $previous }）
total-change-same = 与上一时段持平（{ $previous }）
total-change-none = 上一时段没有记录
dashboard-caption = { $span }按优先顺序排列的失误
col-rank = 排名
col-horror = 失误
col-tier = 等级
col-count = 次数
col-complaints = 投诉
col-cost-in = 成本（{ $currency }）
col-previous = 上一时段
col-change = 变化
dashboard-total = 合计
dashboard-tiers-hint = 等级按优先分数（痛感和成本）划分：先是{ $worst }，然后是{ $worse }，最后是{ $bad }。次数上升显示为红色。
change-cell-up = 上升
change-cell-down = 下降
change-cell-same = 不变
change-cell-new = 新增
dashboard-charts = 图表
dashboard-chart-pareto = 帕累托图：优先顺序与累计占比
dashboard-chart-pareto-alt = 按优先顺序排列的各项失误优先分数柱状图，按等级着色，并带累计占比曲线和 80% 参考线。
dashboard-chart-compare = 本时段与上一时段对比
dashboard-chart-compare-alt = 每项失误在上一时段与本时段的次数并排对比。
dashboard-chart-cost = 各项失误的成本
dashboard-chart-cost-alt = 本时段内每项失误的总成本。
dashboard-chart-trend = 趋势
dashboard-chart-trend-alt = 各项失误随时间变化的次数，以及加权失误指数。
dashboard-chart-matrix = 痛感与成本
dashboard-chart-matrix-alt = 按客户痛感和成本定位每项失误，气泡大小表示次数；右上象限伤害最大。
dashboard-exports = 导出
export-ranking = 排名（CSV）
export-ticks = 全部记录（CSV）
export-this-window = 本时段
export-annual = { $year } 年度回顾（ZIP）
export-annual-note = 电子表格、图表、可打印报告
picker-window = 时段
picker-last-days = 最近 { $days } 天
picker-custom = 自定义日期
picker-from = 从
picker-to = 到
picker-show = 显示
picker-cycle-legend = 改进周期
picker-no-cycles = 还没有改进周期。管理员可以在“管理”页面开始一个。
picker-cycle = 周期
picker-cycle-option = { $name }（{ $start } 至 { $end }，{ $status }）
dashboard-question-site = { $site }应该先解决什么？
picker-site-heading = 站点
picker-all-sites = 所有站点
picker-site-retired = { $site }（已停用）
compare-sites-link = 比较各站点
col-rate = 每 1,000 { $unit }
dashboard-volume-note = 比率按每 1,000 { $unit } 计算，只计入已记录业务量的日子：本时段共 { $units } { $unit }，{ $pairs } 个站点日。
compare-sites = 比较各站点
compare-sites-intro = 本时段内每个站点各自的排名：次数、成本、每 1,000 业务量的比率（已记录业务量时）和排在最前的失误。打开一个站点可查看它的完整排名。
compare-no-site = （无站点）
col-site = 站点
col-top-horror = 排在最前的失误
dashboard-chart-sites = 各站点的帕累托图
dashboard-chart-sites-alt = 每个站点一张小帕累托图，按优先顺序排列该站点的失误。
volume-heading = 业务量
volume-intro = 记录某一天处理了多少 { $unit }，就能按每 1,000 { $unit } 查看失误。同一天、同一站点再次保存会替换原来的数字。
volume-day = 日期
volume-site = 站点
volume-units = { $unit } 数量
volume-save = 保存业务量
volume-units-whole = 请输入 0 或更大的整数。
volume-saving = 正在保存…
volume-saved = 已保存：{ $day } 共 { $units } { $unit }。
volume-saved-at = 已保存：{ $site } { $day } 共 { $units } { $unit }。

## 管理

list-separator = 、
admin-title = 管理
admin-sections = 分区
admin-saved-catalogue = 失误清单已保存。
admin-saved-cycle = 改进周期已保存。
admin-catalogue = 失误清单
admin-tokens = 令牌
admin-cycles = 改进周期与重点
admin-catalogue-intro = 列出 { $min } 到 { $max } 项最可能让客户失望的失误，顺序就是员工看到的顺序。被移出清单的失误会停用：它的记录仍然保留，重新加入它的标识就能恢复。标识一旦保存就不能更改。
admin-add-horror = 添加一项失误
admin-save-catalogue = 保存清单
admin-retired = 已停用
admin-add-back = 重新加入
admin-horror-number = 失误 { $number }
admin-key = 标识
admin-key-fixed = 标识不能更改
admin-name = 名称
admin-description = 说明（可选）
admin-pain = 痛感（1–10）
admin-unit-cost = 单次成本（{ $currency }）
admin-operational = 也影响运营
admin-move-up = 上移
admin-remove = 移除
admin-tokens-intro = 每个人或每台设备使用自己的令牌：{ $staff }负责计数；{ $viewer }还可以查看看板和导出；{ $admin }还可以修改失误清单、改进周期和令牌。令牌一旦吊销立即失效，它的登录也随之失效。
admin-token-name-example = 例如：调度手机 2
admin-role = 角色
admin-create-token = 创建令牌
admin-new-token = { $name } 的新令牌。请立即复制：它只显示这一次。
admin-copy = 复制
admin-created = 创建日期
admin-status = 状态
admin-action = 操作
admin-you = 你
admin-token-active = 有效
admin-token-revoked = 已于 { $date } 吊销
admin-revoke = 吊销
admin-cycles-intro = 改进周期是一段时间，团队在其中最多集中解决 { $max } 项重点失误，重点从排名最前面选取。周期结束后再统计一次，看它们是否减少。
admin-no-cycles = 还没有改进周期。
admin-cycle-line = { $start } 至 { $end }（{ $days } 天，{ $status }）。重点：{ $focus }。
admin-focus-none = 无
admin-cycle-ranking = 查看此周期的排名
admin-edit-cycle = 编辑 { $name }
admin-save-cycle = 保存周期
admin-start-cycle-heading = 开始一个改进周期
admin-start-cycle = 开始周期
admin-first-day = 第一天
admin-days = 天数
admin-focus-legend = 重点（最多 { $max } 项）
admin-note = 备注（可选）
admin-token-site = 站点
admin-token-any-site = 所有站点（不绑定）
admin-token-site-hint = 绑定到站点的令牌只能在该站点记录和查看。管理员令牌不能绑定。
admin-token-all-sites = 所有站点

## 管理：页面脚本使用的文字

admin-unreachable = 无法连接服务器；请检查网络后重试。
admin-server-answered = 服务器返回了 { $status }。
admin-catalogue-full = 清单已有 { $max } 项失误；请先移除一项。
admin-pain-whole = 必须是 1 到 10 的整数
admin-token-name-needed = 请为令牌起个名字，例如使用它的人或设备。
admin-new-token-for = { $name }（{ $role }）
admin-copied = 已复制
admin-revoke-confirm = 吊销“{ $name }”？所有使用它的设备会立即停止工作。
admin-revoke-own-confirm = 吊销“{ $name }”？这是你当前登录所用的令牌：你将被退出登录。
admin-days-whole = 必须是整数天

## 图表（标题、图例、坐标轴和提示；失误名称按原样显示）

chart-no-ticks = 此时段没有记录
chart-occurrences = { $count } 次
chart-pareto-groups-title = 按{ $group }的失误等级 — { $organization }
chart-pareto-groups-more = 另有 { $count } 组未显示
chart-pareto-groups-top = 首位：{ $horror }
group-site = 站点
group-department = 部门
group-source = 来源
group-none = （无）
chart-pareto-title = 失误等级 — { $organization }
chart-pareto-subtitle = { $window } · 按优先顺序 · 共 { $count } 次
chart-cumulative-share-key = 优先分数累计占比
chart-axis-occurrences = 发生次数
chart-axis-cumulative-share = 累计占比
chart-cost-title = 失误成本 — { $organization }
chart-cost-subtitle = { $window } · 合计 { $cost }
chart-axis-cost = 时段内成本（{ $currency }）
chart-trend-title = 失误趋势 — { $organization }
chart-trend-subtitle = { $window } · { $bucket } · 共 { $count } 次
chart-by-day = 按日
chart-by-week = 按周
chart-by-month = 按月
chart-index-key = 痛感指数（右轴）
chart-axis-pain-points = 痛感分
chart-so-far = 至今

## 控制图（SPEC §18）
chart-control-title = 控制图 — { $horror } — { $organization }
chart-control-subtitle = { $window } · { $bucket } · φ = { $phi } · 信号 { $signals } 个
chart-control-all = 全部失误
chart-control-rate = 发生率
chart-control-centre = 中心线（此前的平常水平）
chart-control-limits = 控制限
chart-control-signal = 超出控制限，或持续上升（圆圈）
chart-axis-per-day = 每日次数
chart-axis-per-volume = 每 1,000 { $unit }
chart-compare-title = 改进前后 — { $organization }
chart-compare-subtitle = { $before } 对比 { $after }
chart-compare-before = 之前：{ $window }
chart-compare-after = 之后：{ $window }
chart-new = 新增
chart-matrix-title = 痛感与成本 — { $organization }
chart-matrix-subtitle = { $window } · 气泡面积 = 发生次数
chart-axis-pain = 客户痛感（1–10）
chart-fix-first = 优先解决

## 年度回顾：review.html

verdict-improved = 改善
verdict-no_clear_change = 无明显变化
verdict-not_started = 尚未开始
verdict-worse = 恶化
verdict-too_few = 次数太少，无法判断
verdict-interim-improved = 中期：改善
verdict-interim-worse = 中期：恶化
verdict-interim-no_clear_change = 中期：暂无明显变化
verdict-interim-too_few = 中期：次数仍太少，无法判断
review-title = { $year } 年度回顾
review-lede = { $organization }，{ $from } 至 { $to }（{ $timezone }）。
review-fix-first = 先解决：{ $name }——{ $details }。
review-fix-first-details = 发生 { $count } 次，成本 { $cost }，占全年优先分数的 { $share }
review-no-ticks = 今年没有任何记录。
review-totals = { $year } 年共 { $count } 次（{ $previous_year } 年 { $previous_count } 次），成本 { $cost }（{ $previous_year } 年 { $previous_cost }）。
review-ranking = { $year } 年排名
review-col-cost = 成本 { $currency }
review-col-pain-points = 痛感分
review-col-score = 优先分数
review-col-versus = 对比 { $year }
review-caption-pareto = 优先顺序（帕累托图）——按等级着色的柱、累计占比、80% 参考线，{ $year } 年。
review-caption-cost = 各项失误的成本，{ $year } 年。
review-caption-matrix = 痛感与成本——先解决右上角，{ $year } 年。
review-caption-trend = 每周次数与加权痛感指数，{ $year } 年。
review-caption-compare = 改进前后，{ $year } 年。
review-cycles = 改进周期
review-no-cycles = { $year } 年没有改进周期。
review-col-cycle = 周期
review-col-window = 时段
review-col-focus = 重点
review-col-before = 之前
review-col-during = 期间
review-col-verdict = 结论
review-no-focus = 这个周期没有选择重点失误。
review-by-month = 按月
review-col-month = 月份
review-col-worst-horror = 最严重的失误
review-year-before = 上一年：{ $year }
review-caption-pareto-before = 优先顺序（帕累托图），{ $year } 年。
review-made = 由 horrors 于 { $made } 生成。每个数字的计算方法见 README.txt。
review-title-site = { $year } 年度回顾：{ $site }
review-organization-site = { $organization }，站点 { $site }（{ $key }）
readme-site = 本回顾只涵盖一个站点：{ $site }（{ $key }）。其中的记录、排名、图表和改进周期结果都不计入其他站点；不指定站点即可生成整个组织的回顾。

## 年度回顾：review.xlsx（工作表名称最多 31 个字符，不能含 : \ / ? * [ ]）

xlsx-sheet-ranking = 排名
xlsx-sheet-by-month = 按月
xlsx-sheet-cycles = 改进周期
xlsx-sheet-ticks = 记录
xlsx-sheet-year-over-year = 年度对比
xlsx-month = 月份
xlsx-rank = 排名
xlsx-key = 标识
xlsx-horror = 失误
xlsx-tier = 等级
xlsx-count = 次数
xlsx-complaints = 投诉
xlsx-cost = 成本
xlsx-pain = 痛感
xlsx-pain-points = 痛感分
xlsx-score = 优先分数
xlsx-cumulative = 累计占比
xlsx-change-vs-previous = 较上期变化
xlsx-cycle = 周期
xlsx-start = 开始
xlsx-end = 结束
xlsx-status = 状态
xlsx-focus = 重点
xlsx-before = 之前
xlsx-during = 期间
xlsx-cost-before = 之前成本
xlsx-cost-during = 期间成本
xlsx-change = 变化
xlsx-verdict = 结论
xlsx-no-focus = （没有重点失误）
xlsx-id = 编号
xlsx-day = 日期
xlsx-occurred-at = 发生时间（UTC）
xlsx-qty = 数量
xlsx-source = 来源
xlsx-department = 部门
xlsx-note = 备注
xlsx-recorded-by = 记录人
xlsx-truncated = … 这里只列出前 { $rows } 条记录；ticks.csv 中有全部记录
xlsx-count-in = { $year } 年次数
xlsx-cost-in = { $year } 年成本
source-internal = 内部发现
source-complaint = 客户投诉

## 年度回顾：README.txt

readme =
    { $year } 年度回顾 - { $organization }
    ==========================================

    由 horrors 于 { $made } 生成，统计 { $timezone } 时区的 { $year } 日历年
    （{ $from } 至 { $to }；每条记录按其 occurred_at 在该时区的当地日期归入某一天）。
    金额单位为 { $currency }。已作废的记录在所有地方都不计入。

    包含的文件
    - ranking.csv            全年排名（按优先顺序），每项失误一行
    - ranking-{ $previous_year }.csv       { $previous_year } 年的同样内容（该年有记录时）
    - ranking-by-month.csv   { $year } 年每个月的排名
    - ticks.csv              { $year } 年的全部记录，从早到晚
    - cycles.csv             与 { $year } 年重叠的改进周期，每项重点失误一行
    - nominations.csv        { $year } 年提出的失误提名（支持最多的在前）及其结果（已采纳、已拒绝或待定）：下一轮方法从这里开始
    - review.xlsx            同样内容的电子表格：排名、按月、改进周期、记录、年度对比
    - review.html            可打印的报告，图表内嵌（A4）
    - charts/                { $year } 年（以及有记录时的 { $previous_year } 年）的帕累托图、成本图、趋势图、对比图和矩阵图，SVG 和 PNG

    计算方法
    count（次数）= qty 之和；pain_points（痛感分）= 次数 × 该失误当前的痛感（1-10）；
    cost（成本）= 每条记录成本之和，成本在记录时确定；
    score（优先分数）= (pain_weight × 痛感占比 + cost_weight × 成本占比) / 合计不为零的权重之和
    （pain_weight = { $pain_weight }，cost_weight = { $cost_weight }）；等级沿优先顺序按累计分数划分：
    前面累计分数低于 { $worst } 时为“最严重”，低于 { $worse } 时为“更严重”，其余为“严重”。
    change_pct 将每项失误的次数与上一个日历年（或月）比较。
    CSV 文件为带字节顺序标记（BOM）的 UTF-8；电子表格会当作公式执行的单元格以 ' 开头。
    CSV 文件的列名保持英文，便于脚本读取。

    合计：{ $year } 年：{ $count } 次，{ $cost } { $currency }；{ $previous_year } 年：{ $previous_count } 次，{ $previous_cost } { $currency }。

## 设备登记（手机扫描二维码）

enrol-title = 设置这台设备
enrol-used = 这个设置码已经用过了。每个码只能用一次：请向管理员申请新的二维码。
enrol-expired = 这个设置码已过期（有效期 10 分钟）。请向管理员申请新的二维码。
enrol-unknown = 这个设置链接无效。请重新扫描二维码，或向管理员申请新的二维码。
enrol-login = 改用令牌登录

admin-devices = 设备
admin-devices-intro = 无需输入令牌即可设置手机：在这里生成二维码，用手机相机扫描。手机会以该设备身份登录一年（员工计数，查看者阅读），位于你选择的站点。每个码只能用一次，有效期 10 分钟。之后该设备会出现在“令牌”中，可像其他令牌一样吊销。
admin-enrol-create = 生成二维码
admin-enrol-ready = 请用手机相机扫描此二维码。
admin-enrol-qr = 用于设置设备的二维码
admin-enrol-expires = 此码失效时间：
admin-sessions = 会话
admin-sessions-intro = 当前登录的人和设备：令牌登录和已登记的手机。结束会话会立即让该浏览器退出登录，但令牌仍然有效。要彻底阻止某设备或某人，请吊销令牌。
admin-session-expires = 到期
admin-session-end = 结束会话
admin-session-this = 当前会话

## The method end to end: sources, the complaint playbook, nominations, check sheets.

source-observer = 外部观察
source-sheet = 纸质记录表
tally-source = 来源
tally-source-internal = 内部发现
tally-observer = 我是外部观察员
tally-playbook-heading = 客户投诉了{ $name }：分五步回应
tally-playbook-close = 完成
playbook-apologise = 道歉。
playbook-who-we-are = 重申我们是谁、代表什么。
playbook-handling = 说明将如何处理。
playbook-follow-up = 说明后续跟进。
playbook-do-it = 说到做到，并跟进。
admin-playbook = 投诉应对手册
admin-playbook-hint = 客户就此项投诉时员工应如何回应，分五部分。投诉计数后，计数页会立即显示，语言与手机一致（该语言为空时显示英文）。
sheet-title = 检查表
sheet-site = 站点
sheet-department = 部门
sheet-period = 期间
sheet-counted-by = 计数人
sheet-how = 每发生一次，就在当天的格子里画一笔（五笔一组，或写“正”字）。也可以用手机扫描该项的二维码计数。
sheet-enter = 表格填满后，请在此录入计数：
sheet-page = 页
sheet-horror = 失误
sheet-pain = 痛苦度
sheet-weekdays = 一 二 三 四 五 六 日
nominations-title = 提名
nominations-intro = 方法的第一步：列出我们最可能出错的五到八件事。客户最常投诉什么？在这里提出；支持你认同的提名；管理员会把最有力的提名采纳为失误项。
nominations-propose = 提出一项失误
nominations-field-title = 出了什么错（简短名称）
nominations-field-description = 客户投诉的内容
nominations-field-example = 举例：客户说了什么，或发生了什么
nominations-submit = 提出
nominations-list = 已提出的提名（支持最多的在前）
nominations-none = 还没有提名。
nominations-supporters = { $count } 人支持
nominations-by = 由 { $by } 于 { $date } 提出
nominations-state-open = 待定
nominations-state-adopted = 已采纳
nominations-state-declined = 已拒绝
nominations-adopted-as = 已采纳为失误项“{ $key }”。
nominations-declined-because = 已拒绝：{ $reason }
nominations-support = 支持
nominations-supported = 你已支持。
nominations-adopt = 采纳为失误项…
nominations-adopt-key = 键（a-z、0-9、-）
nominations-adopt-name = 名称
nominations-adopt-pain = 痛苦度（1–10）
nominations-adopt-cost = 每次发生的成本
nominations-adopt-submit = 采纳
nominations-decline = 拒绝…
nominations-decline-reason = 原因
nominations-decline-submit = 拒绝
nav-nominations = 提名
method-unreachable = 无法连接服务器。未保存任何内容，请重试。
method-server-answered = 服务器返回 { $status }。未保存任何内容。
sheet-form-title = 录入纸质检查表
sheet-form-intro = 把填好的检查表上的计数抄到这里：每个失误项每天一格（没有就留空）。全部一次保存，记为来自纸质表的计数；管理员可以作废整张表。
sheet-form-print = 打印空白检查表（PDF）
sheet-form-department = 部门
sheet-form-site = 站点
sheet-form-submit = 保存检查表
sheet-form-saved = 已保存：检查表上的 { $count } 次。
