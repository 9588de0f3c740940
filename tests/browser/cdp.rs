//! Debian's headless Chromium over the DevTools protocol (the `headless_chrome` crate):
//! launching it, and pages that act as a person would (navigate, tap, click, fill, wait
//! for a condition) on an emulated phone or desktop, each in its own browser context.
//!
//! Protocol calls go through [`Page::call`] with plain JSON (see `raw_methods!`), so a
//! newer Chromium's extra fields never break the parsing of a reply.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use base64::Engine as _;
use headless_chrome::protocol::cdp::types::{Event, Method};
use headless_chrome::protocol::cdp::Network::ResourceType;
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde_json::{json, Value};

/// Exactly the flags the playwright tests used.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
];

/// How long a wait for a condition may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What a page emulates.
#[derive(Clone, Copy, Debug)]
pub struct Device {
    pub width: u32,
    pub height: u32,
    pub scale: f64,
    pub mobile: bool,
    pub touch: bool,
    pub dark: bool,
}

pub const PHONE: Device = Device {
    width: 390,
    height: 844,
    scale: 2.0,
    mobile: true,
    touch: true,
    dark: false,
};

pub const DESKTOP: Device = Device {
    width: 1280,
    height: 800,
    scale: 1.0,
    mobile: false,
    touch: false,
    dark: false,
};

impl Device {
    pub const fn dark(self) -> Device {
        Device { dark: true, ..self }
    }
}

/// The protocol methods used, each taking and returning plain JSON.
macro_rules! raw_methods {
    ($($name:ident = $method:literal;)*) => {$(
        #[derive(Debug, serde::Serialize)]
        #[serde(transparent)]
        struct $name(Value);
        impl Method for $name {
            const NAME: &'static str = $method;
            type ReturnObject = Value;
        }
    )*};
}

raw_methods! {
    Evaluate = "Runtime.evaluate";
    NetworkEnable = "Network.enable";
    SetBlockedUrls = "Network.setBlockedURLs";
    EmulateNetworkConditions = "Network.emulateNetworkConditions";
    GetCookies = "Network.getCookies";
    SetDeviceMetrics = "Emulation.setDeviceMetricsOverride";
    SetTouch = "Emulation.setTouchEmulationEnabled";
    SetFocus = "Emulation.setFocusEmulationEnabled";
    SetMedia = "Emulation.setEmulatedMedia";
    Navigate = "Page.navigate";
    Reload = "Page.reload";
    Screenshot = "Page.captureScreenshot";
    LayoutMetrics = "Page.getLayoutMetrics";
    HandleDialog = "Page.handleJavaScriptDialog";
    ClosePage = "Page.close";
    MouseEvent = "Input.dispatchMouseEvent";
    TouchEvent = "Input.dispatchTouchEvent";
    InsertText = "Input.insertText";
    SetAutoAttach = "Target.setAutoAttach";
    SendToTarget = "Target.sendMessageToTarget";
}

/// The path to Chromium: `$CHROMIUM`, else Debian's `/usr/bin/chromium`.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// One Chromium, with a fresh profile, and every URL any of its pages or their service
/// workers asked for.
pub struct Browser {
    chrome: Chrome,
    requests: Arc<Mutex<Vec<String>>>,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch(path: &Path) -> Browser {
        let profile = tempfile::Builder::new()
            .prefix("horrors-chromium-")
            .tempdir()
            .unwrap();
        let args: Vec<&std::ffi::OsStr> = CHROMIUM_ARGS.iter().map(|a| a.as_ref()).collect();
        // The flags are all ours: headless, sandbox and GPU are set through `args`.
        let options = LaunchOptions::default_builder()
            .path(Some(path.to_path_buf()))
            .user_data_dir(Some(profile.path().to_path_buf()))
            .disable_default_args(true)
            .headless(false)
            .sandbox(true)
            .enable_gpu(true)
            .args(args)
            .idle_browser_timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        let chrome = Chrome::new(options)
            .unwrap_or_else(|e| panic!("{} does not start: {e:#}", path.display()));
        Browser {
            chrome,
            requests: Arc::default(),
            _profile: profile,
        }
    }

    /// Every URL requested so far, by any page or service worker.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.requests).clone()
    }

    /// A new page in a browser context of its own (its own cookies and storage).
    pub fn page(&self, device: Device) -> Page {
        let context = self.chrome.new_context().expect("a new browser context");
        let tab = context.new_tab().expect("a new tab");
        let page = Page {
            tab,
            state: Arc::default(),
            nested: Arc::new(AtomicU64::new(1)),
        };
        page.listen(Arc::clone(&self.requests));
        page.call(NetworkEnable(json!({})));
        page.call(SetDeviceMetrics(json!({
            "width": device.width,
            "height": device.height,
            "deviceScaleFactor": device.scale,
            "mobile": device.mobile,
            "screenWidth": device.width,
            "screenHeight": device.height,
        })));
        page.call(SetTouch(
            json!({"enabled": device.touch, "maxTouchPoints": 1}),
        ));
        page.call(SetFocus(json!({"enabled": true})));
        let scheme = if device.dark { "dark" } else { "light" };
        page.call(SetMedia(json!({
            "features": [{"name": "prefers-color-scheme", "value": scheme}],
        })));
        // Service workers of this page attach to its session, paused until set up (so an
        // offline page has an offline worker from its first fetch on).
        page.call(SetAutoAttach(json!({
            "autoAttach": true,
            "waitForDebuggerOnStart": true,
            "flatten": false,
        })));
        page
    }
}

/// What the page's event listener saw.
#[derive(Default)]
struct State {
    /// Loader ids of the main frame's `load` events, in order.
    loads: Vec<String>,
    /// Responses: loader id, resource type, URL, status, Content-Type.
    responses: Vec<Response>,
    /// Sessions of the service workers attached to this page.
    workers: Vec<String>,
    /// Ids of the calls to service workers that were answered.
    answered: HashSet<u64>,
    offline: bool,
    accept_dialogs: bool,
}

#[derive(Clone, Debug)]
pub struct Response {
    pub loader: String,
    pub document: bool,
    pub url: String,
    pub status: u16,
    pub content_type: String,
}

/// One tab in its own browser context; closed when dropped.
pub struct Page {
    tab: Arc<Tab>,
    state: Arc<Mutex<State>>,
    nested: Arc<AtomicU64>,
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.tab.call_method(ClosePage(json!({})));
    }
}

/// `document.querySelector(selector)`, as a JS expression.
pub fn q(selector: &str) -> String {
    format!("document.querySelector({})", js(selector))
}

/// A Rust value as a JS literal.
pub fn js<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

impl Page {
    fn listen(&self, requests: Arc<Mutex<Vec<String>>>) {
        let tab: Weak<Tab> = Arc::downgrade(&self.tab);
        let state = Arc::clone(&self.state);
        let nested = Arc::clone(&self.nested);
        let main_frame = self.tab.get_target_id().clone();
        let listener = move |event: &Event| match event {
            Event::NetworkRequestWillBeSent(e) => {
                lock(&requests).push(e.params.request.url.clone());
            }
            Event::NetworkResponseReceived(e) => {
                let p = &e.params;
                let response = Response {
                    loader: p.loader_id.clone(),
                    document: matches!(p.Type, ResourceType::Document)
                        && p.frame_id.as_deref() == Some(main_frame.as_str()),
                    url: p.response.url.clone(),
                    status: p.response.status as u16,
                    content_type: header(&p.response.headers.0, "content-type"),
                };
                lock(&state).responses.push(response);
            }
            Event::PageLifecycleEvent(e)
                if e.params.name == "load" && e.params.frame_id == main_frame =>
            {
                lock(&state).loads.push(e.params.loader_id.clone());
            }
            Event::PageJavascriptDialogOpening(_) => {
                if let Some(tab) = tab.upgrade() {
                    let accept = lock(&state).accept_dialogs;
                    let _ = tab.call_method(HandleDialog(json!({"accept": accept})));
                }
            }
            Event::AttachedToTarget(e) => {
                let Some(tab) = tab.upgrade() else { return };
                let session = e.params.session_id.clone();
                let is_worker = e.params.target_info.Type == "service_worker";
                let offline = {
                    let mut state = lock(&state);
                    if is_worker {
                        state.workers.push(session.clone());
                    }
                    state.offline
                };
                if is_worker {
                    for (method, params) in worker_setup(offline) {
                        let _ = send_nested(&tab, &nested, &session, method, params);
                    }
                }
                if e.params.waiting_for_debugger {
                    let method = "Runtime.runIfWaitingForDebugger";
                    let _ = send_nested(&tab, &nested, &session, method, json!({}));
                }
            }
            Event::DetachedFromTarget(e) => {
                let session = &e.params.session_id;
                lock(&state).workers.retain(|w| w != session);
            }
            Event::ReceivedMessageFromTarget(e) => {
                let message: Value = serde_json::from_str(&e.params.message).unwrap_or_default();
                if let Some(id) = message["id"].as_u64() {
                    lock(&state).answered.insert(id);
                } else if message["method"] == "Network.requestWillBeSent" {
                    if let Some(url) = message["params"]["request"]["url"].as_str() {
                        lock(&requests).push(url.to_string());
                    }
                }
            }
            _ => {}
        };
        self.tab.add_event_listener(Arc::new(listener)).unwrap();
    }

    /// One protocol call on this page; a refusal fails the test.
    fn call<M>(&self, method: M) -> Value
    where
        M: Method<ReturnObject = Value> + serde::Serialize,
    {
        let text = format!("{method:?}");
        self.tab
            .call_method(method)
            .unwrap_or_else(|e| panic!("{} {text}: {e:#}", M::NAME))
    }

    // ------------------------------------------------------------ script

    /// Evaluates `expression` (awaiting a promise) and returns its value as JSON.
    pub fn eval(&self, expression: &str) -> Value {
        self.try_eval(expression)
            .unwrap_or_else(|e| panic!("evaluating {expression}: {e}"))
    }

    fn try_eval(&self, expression: &str) -> Result<Value, String> {
        let reply = self
            .tab
            .call_method(Evaluate(json!({
                "expression": expression,
                "returnByValue": true,
                "awaitPromise": true,
            })))
            .map_err(|e| format!("{e:#}"))?;
        if let Some(details) = reply.get("exceptionDetails") {
            let description = &details["exception"]["description"];
            return Err(description.as_str().unwrap_or(&details.to_string()).into());
        }
        Ok(reply["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    pub fn eval_str(&self, expression: &str) -> String {
        match self.eval(expression) {
            Value::String(s) => s,
            other => panic!("{expression} is {other}, not a string"),
        }
    }

    pub fn eval_bool(&self, expression: &str) -> bool {
        self.eval(&format!("Boolean({expression})")) == Value::Bool(true)
    }

    /// Waits until `condition` (a JS expression) is true, for at most `timeout`.
    pub fn wait_for_within(&self, condition: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.try_eval(&format!("Boolean({condition})")) {
                Ok(Value::Bool(true)) => return,
                Ok(value) => value.to_string(),
                // A navigation in progress: try again in the next document.
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                panic!("waited {timeout:?} for {condition} (last: {last})");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn wait_for(&self, condition: &str) {
        self.wait_for_within(condition, TIMEOUT);
    }

    // ------------------------------------------------------------ navigation

    /// Opens `url`, waits for its `load` event, and returns the document's HTTP status.
    pub fn goto(&self, url: &str) -> u16 {
        let reply = self.call(Navigate(json!({ "url": url })));
        if let Some(error) = reply["errorText"].as_str() {
            panic!("navigating to {url}: {error}");
        }
        let loader = reply["loaderId"].as_str().expect("a loader id").to_string();
        self.wait_until(&format!("the load of {url}"), |state| {
            state.loads.contains(&loader)
        });
        self.status_of(&loader)
    }

    /// Reloads and waits for the `load` event.
    pub fn reload(&self) {
        let before = lock(&self.state).loads.len();
        self.call(Reload(json!({})));
        self.wait_until("the reloaded document's load event", |state| {
            state.loads.len() > before
        });
    }

    /// Clicks `target` and waits for the navigation it starts (at once or after a fetch);
    /// returns the new document's HTTP status.
    pub fn click_navigating(&self, target: &str) -> u16 {
        let before = lock(&self.state).loads.len();
        self.press(target, Press::Mouse, false);
        self.wait_for_load(before)
    }

    fn wait_for_load(&self, loads_before: usize) -> u16 {
        self.wait_until("a new document's load event", |state| {
            state.loads.len() > loads_before
        });
        let loader = lock(&self.state).loads[loads_before].clone();
        self.status_of(&loader)
    }

    fn wait_until(&self, what: &str, done: impl Fn(&State) -> bool) {
        assert!(self.came_true(done), "waited {TIMEOUT:?} for {what}");
    }

    /// Whether `done` came true within [`TIMEOUT`].
    fn came_true(&self, done: impl Fn(&State) -> bool) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        while !done(&lock(&self.state)) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// The HTTP status of the main document `loader` loaded (its response event may come
    /// after the load event).
    fn status_of(&self, loader: &str) -> u16 {
        let response = |state: &State| {
            let mut newest_first = state.responses.iter().rev();
            newest_first
                .find(|r| r.document && r.loader == loader)
                .map(|r| r.status)
        };
        self.wait_until(
            &format!("the document response of loader {loader}"),
            |state| response(state).is_some(),
        );
        response(&lock(&self.state)).unwrap()
    }

    pub fn url(&self) -> String {
        self.eval_str("location.href")
    }

    pub fn path(&self) -> String {
        self.eval_str("location.pathname")
    }

    /// Every response this page received so far (documents, scripts, images, fetches).
    pub fn responses(&self) -> Vec<Response> {
        lock(&self.state).responses.clone()
    }

    // ------------------------------------------------------------ acting

    /// A mouse click on the middle of `target` (a JS expression for an element), once it is
    /// visible and enabled; returns when the page has handled the click.
    pub fn click(&self, target: &str) {
        self.press(target, Press::Mouse, true);
    }

    /// A touch tap on the middle of `target`; returns when the page has handled the click
    /// the tap makes.
    pub fn tap(&self, target: &str) {
        self.press(target, Press::Touch, true);
    }

    fn press(&self, target: &str, how: Press, wait_for_click: bool) {
        // Visible, enabled, scrolled into view if need be, and not covered by anything else.
        let probe = format!(
            "(() => {{ const e = {target}; if (!e) return null;
              if (e.disabled || !e.getClientRects().length) return null;
              if (getComputedStyle(e).visibility === 'hidden') return null;
              const seen = e.getBoundingClientRect();
              if (seen.top < 0 || seen.left < 0 || seen.bottom > innerHeight || seen.right > innerWidth)
                e.scrollIntoView({{block: 'center', inline: 'center'}});
              const r = e.getBoundingClientRect();
              const x = r.left + r.width / 2, y = r.top + r.height / 2;
              const hit = document.elementFromPoint(x, y);
              if (!hit || !(hit === e || e.contains(hit) || hit.contains(e) && hit.tagName === 'LABEL')) {{
                // Covered (by a sticky footer, say): centre it, and look again.
                e.scrollIntoView({{block: 'center', inline: 'center'}});
                return null;
              }}
              // Kept on window: the click may take the element out of the document.
              window.__horrorsPressed = {{ clicked: false }};
              const pressed = window.__horrorsPressed;
              e.addEventListener('click', () => {{ pressed.clicked = true; }}, {{once: true, capture: true}});
              return [x, y]; }})()"
        );
        let deadline = Instant::now() + TIMEOUT;
        let point = loop {
            if let Ok(Value::Array(xy)) = self.try_eval(&probe) {
                break (xy[0].as_f64().unwrap(), xy[1].as_f64().unwrap());
            }
            assert!(
                Instant::now() < deadline,
                "{target} never became visible, enabled and uncovered"
            );
            std::thread::sleep(Duration::from_millis(25));
        };
        let (x, y) = point;
        match how {
            Press::Mouse => {
                for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
                    self.call(MouseEvent(json!({
                        "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1,
                    })));
                }
            }
            Press::Touch => {
                let points = json!([{ "x": x, "y": y }]);
                self.call(TouchEvent(
                    json!({"type": "touchStart", "touchPoints": points}),
                ));
                self.call(TouchEvent(json!({"type": "touchEnd", "touchPoints": []})));
            }
        }
        if wait_for_click {
            // A click that submits a form may replace the document before this looks:
            // a new document (without the marker) means the click was taken.
            self.wait_for(
                "window.__horrorsPressed === undefined || window.__horrorsPressed.clicked === true",
            );
        }
    }

    /// Types `value` into the field `target` in place of what it held (dates are set, as a
    /// date picker would).
    pub fn fill(&self, target: &str, value: &str) {
        self.wait_visible(target);
        let typed = self.eval_bool(&format!(
            "(() => {{ const e = {target}; e.focus();
              if (['date', 'time', 'month', 'week', 'datetime-local'].includes(e.type)) {{
                e.value = {v};
                e.dispatchEvent(new Event('input', {{bubbles: true}}));
                e.dispatchEvent(new Event('change', {{bubbles: true}}));
                return false;
              }}
              e.select(); e.value = '';
              e.dispatchEvent(new Event('input', {{bubbles: true}}));
              return true; }})()",
            v = js(value)
        ));
        if typed && !value.is_empty() {
            self.call(InsertText(json!({ "text": value })));
        }
        assert_eq!(self.value(target), value, "filling {target}");
    }

    /// Picks the option whose value is `value` in the `<select>` `target`.
    pub fn select(&self, target: &str, value: &str) {
        self.wait_visible(target);
        let found = self.eval_bool(&format!(
            "(() => {{ const e = {target};
              if (![...e.options].some(o => o.value === {v})) return false;
              e.value = {v};
              e.dispatchEvent(new Event('input', {{bubbles: true}}));
              e.dispatchEvent(new Event('change', {{bubbles: true}}));
              return true; }})()",
            v = js(value)
        ));
        assert!(found, "{target} has no option {value:?}");
    }

    /// Clicks the checkbox `target` unless it is checked already.
    pub fn check(&self, target: &str) {
        if !self.eval_bool(&format!("({target}).checked")) {
            self.click(target);
        }
        assert!(self.eval_bool(&format!("({target}).checked")), "{target}");
    }

    /// From now on, `alert`/`confirm` dialogs are accepted (by default they are dismissed).
    pub fn accept_dialogs(&self) {
        lock(&self.state).accept_dialogs = true;
    }

    // ------------------------------------------------------------ reading

    pub fn wait_visible(&self, target: &str) {
        self.wait_for(&visible(target));
    }

    pub fn is_visible(&self, target: &str) -> bool {
        self.eval_bool(&visible(target))
    }

    /// The `textContent` of `target`, once it exists.
    pub fn text(&self, target: &str) -> String {
        self.wait_for(target);
        self.eval_str(&format!("({target}).textContent"))
    }

    /// The `value` of the field `target`, once it exists.
    pub fn value(&self, target: &str) -> String {
        self.wait_for(target);
        self.eval_str(&format!("({target}).value"))
    }

    pub fn attr(&self, target: &str, name: &str) -> Option<String> {
        self.wait_for(target);
        self.eval(&format!("({target}).getAttribute({})", js(name)))
            .as_str()
            .map(str::to_string)
    }

    pub fn count(&self, selector: &str) -> usize {
        let n = self.eval(&format!(
            "document.querySelectorAll({}).length",
            js(selector)
        ));
        n.as_u64().unwrap() as usize
    }

    /// The `textContent` of every element `selector` matches.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let all = format!(
            "[...document.querySelectorAll({})].map(e => e.textContent)",
            js(selector)
        );
        serde_json::from_value(self.eval(&all)).unwrap()
    }

    /// Width and height of `target` in CSS pixels.
    pub fn size(&self, target: &str) -> (f64, f64) {
        self.wait_for(target);
        let r = self.eval(&format!(
            "(() => {{ const r = ({target}).getBoundingClientRect(); return [r.width, r.height]; }})()"
        ));
        (r[0].as_f64().unwrap(), r[1].as_f64().unwrap())
    }

    /// The cookies this page's browser context holds for `urls`.
    pub fn cookies(&self, urls: &[&str]) -> Vec<Value> {
        let reply = self.call(GetCookies(json!({ "urls": urls })));
        reply["cookies"].as_array().cloned().unwrap_or_default()
    }

    // ------------------------------------------------------------ emulation

    /// Fails every request to a URL matching one of `patterns` (`*` wildcards) at once,
    /// in the browser: a third-party page (a test provider's) may link a CDN, and no request
    /// may leave this machine.
    pub fn block_urls(&self, patterns: &[&str]) {
        self.call(SetBlockedUrls(json!({ "urls": patterns })));
    }

    /// Cuts the network off (or gives it back) for the page and its service workers, as
    /// playwright's `setOffline` does: `navigator.onLine` follows, and fetches fail.
    pub fn set_offline(&self, offline: bool) {
        if let Err(e) = self.try_set_offline(offline) {
            panic!("set_offline({offline}): {e}");
        }
    }

    /// [`Page::set_offline`], telling a failure instead of panicking: a guard that gives
    /// the network back while a failed test unwinds must not panic again.
    pub fn try_set_offline(&self, offline: bool) -> Result<(), String> {
        let workers = {
            let mut state = lock(&self.state);
            state.offline = offline;
            state.workers.clone()
        };
        self.tab
            .call_method(EmulateNetworkConditions(conditions(offline)))
            .map_err(|e| format!("{e:#}"))?;
        let mut ids = Vec::new();
        for session in &workers {
            for (method, params) in worker_setup(offline) {
                ids.extend(send_nested(
                    &self.tab,
                    &self.nested,
                    session,
                    method,
                    params,
                ));
            }
        }
        let answered = |state: &State| ids.iter().all(|id| state.answered.contains(id));
        if !self.came_true(answered) {
            return Err(format!(
                "the service workers did not answer within {TIMEOUT:?}"
            ));
        }
        Ok(())
    }

    // ------------------------------------------------------------ screenshots

    /// A PNG of the viewport, or of the whole page when `full`.
    pub fn screenshot(&self, path: &Path, full: bool) {
        let params = if full {
            // The whole document, at least as wide as the window (as playwright does).
            let metrics = self.call(LayoutMetrics(json!({})));
            let content = &metrics["cssContentSize"];
            let window = self.eval("window.innerWidth").as_f64().unwrap();
            let width = content["width"].as_f64().unwrap().max(window);
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": content["height"], "scale": 1},
            })
        } else {
            json!({ "format": "png" })
        };
        let reply = self.call(Screenshot(params));
        let png = base64::engine::general_purpose::STANDARD
            .decode(reply["data"].as_str().expect("screenshot data"))
            .unwrap();
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[derive(Clone, Copy)]
enum Press {
    Mouse,
    Touch,
}

fn visible(target: &str) -> String {
    format!(
        "(e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')({target})"
    )
}

fn conditions(offline: bool) -> Value {
    json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
}

/// What a service worker is sent: its network events on, and the page's network state.
fn worker_setup(offline: bool) -> [(&'static str, Value); 2] {
    [
        ("Network.enable", json!({})),
        ("Network.emulateNetworkConditions", conditions(offline)),
    ]
}

/// Sends a call to a target attached to the page (a service worker) and returns its id;
/// the answer arrives as an event (`State::answered`). None when the target is gone (a
/// stopped worker is set up again when it restarts).
fn send_nested(
    tab: &Tab,
    ids: &AtomicU64,
    session: &str,
    method: &str,
    params: Value,
) -> Option<u64> {
    let id = ids.fetch_add(1, Ordering::SeqCst);
    let message = json!({"id": id, "method": method, "params": params}).to_string();
    let sent = tab.call_method(SendToTarget(json!({
        "sessionId": session,
        "message": message,
    })));
    sent.ok().map(|_| id)
}

/// A lock that a failed test (a panic elsewhere) does not spoil for the next tests.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn header(headers: &Option<Value>, name: &str) -> String {
    headers
        .as_ref()
        .and_then(Value::as_object)
        .and_then(|h| h.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
        .and_then(|(_, v)| v.as_str())
        .unwrap_or_default()
        .to_string()
}
