//! A small blocking WebDriver client: just the commands the end-to-end tests use, over plain
//! HTTP + JSON, talking to `tauri-driver` (which forwards to WebKitWebDriver).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Session {
    agent: ureq::Agent,
    base: String,
}

#[derive(Clone)]
pub struct Element {
    id: String,
}

impl Session {
    /// Starts the app through the driver at `port` with the given arguments.
    pub fn start(port: u16, application: &std::path::Path, args: &[String]) -> Session {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let url = format!("http://127.0.0.1:{port}");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "tauri:options": { "application": application, "args": args }
        } } });
        let started = Instant::now();
        let value = loop {
            match agent.post(&format!("{url}/session")).send_json(&caps) {
                Ok(mut response) => break response.body_mut().read_json::<Value>().expect("session JSON"),
                Err(e) if started.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(e) => panic!("tauri-driver did not answer on port {port}: {e}"),
            }
        };
        let id = value["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {value}")).to_string();
        Session { agent, base: format!("{url}/session/{id}") }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.base, path);
        let result = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self.agent.post(&url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let value: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if !status.is_success() {
            return json!({ "error": value["value"].clone() });
        }
        value["value"].clone()
    }

    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let value = self.send(method, path, body);
        if let Some(error) = value.get("error") {
            panic!("{method} {path}: {error}");
        }
        value
    }

    /// The first element matching a CSS selector, waiting up to 20 s for it to appear.
    pub fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            let value = self.send("POST", "/element", Some(json!({ "using": "css selector", "value": css })));
            if let Some(id) = value.get(ELEMENT_KEY).and_then(Value::as_str) {
                return Element { id: id.to_string() };
            }
            if started.elapsed() > Duration::from_secs(20) {
                panic!("no element {css} after 20 s; page text:\n{}", self.page_text());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The first element matching `css` whose text contains `text`, waiting up to 20 s.
    pub fn find_with_text(&self, css: &str, text: &str) -> Element {
        let started = Instant::now();
        loop {
            let found = self.send("POST", "/elements", Some(json!({ "using": "css selector", "value": css })));
            for item in found.as_array().into_iter().flatten() {
                if let Some(id) = item.get(ELEMENT_KEY).and_then(Value::as_str) {
                    let element = Element { id: id.to_string() };
                    if self.text(&element).contains(text) {
                        return element;
                    }
                }
            }
            if started.elapsed() > Duration::from_secs(20) {
                panic!("no {css} containing «{text}» after 20 s; page text:\n{}", self.page_text());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn click(&self, element: &Element) {
        self.ok("POST", &format!("/element/{}/click", element.id), None);
    }

    pub fn clear(&self, element: &Element) {
        self.ok("POST", &format!("/element/{}/clear", element.id), None);
    }

    pub fn type_text(&self, element: &Element, text: &str) {
        self.ok("POST", &format!("/element/{}/value", element.id), Some(json!({ "text": text })));
    }

    /// The element that has the keyboard focus.
    pub fn focused(&self) -> Element {
        let value = self.ok("GET", "/element/active", None);
        let id = value.get(ELEMENT_KEY).and_then(Value::as_str).unwrap_or_else(|| panic!("nothing focused: {value}"));
        Element { id: id.to_string() }
    }

    /// Presses `keys` wherever the focus is, as a person at the keyboard does.
    pub fn press(&self, keys: &str) {
        self.type_text(&self.focused(), keys);
    }

    /// An attribute of the element (`id`, `value`...), empty when it has none.
    pub fn attribute(&self, element: &Element, name: &str) -> String {
        self.send("GET", &format!("/element/{}/attribute/{name}", element.id), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The current value of an input or a text area (what the operator typed).
    pub fn value(&self, element: &Element) -> String {
        self.send("GET", &format!("/element/{}/property/value", element.id), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Whether the element (a button, an input) can be used.
    pub fn enabled(&self, element: &Element) -> bool {
        self.send("GET", &format!("/element/{}/enabled", element.id), None).as_bool().unwrap_or(false)
    }

    pub fn text(&self, element: &Element) -> String {
        self.send("GET", &format!("/element/{}/text", element.id), None).as_str().unwrap_or_default().to_string()
    }

    pub fn page_text(&self) -> String {
        let body = self.send("POST", "/element", Some(json!({ "using": "css selector", "value": "body" })));
        match body.get(ELEMENT_KEY).and_then(Value::as_str) {
            Some(id) => self.text(&Element { id: id.to_string() }),
            None => String::new(),
        }
    }

    /// Waits until the page shows `text`.
    pub fn wait_for_text(&self, text: &str) {
        let started = Instant::now();
        while !self.page_text().contains(text) {
            if started.elapsed() > Duration::from_secs(20) {
                panic!("the page never showed «{text}»; it shows:\n{}", self.page_text());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Scrolls the page so `element` is in the middle of the window (for a screenshot of it).
    pub fn scroll_to(&self, element: &Element) {
        let script = "arguments[0].scrollIntoView({ block: 'center' });";
        self.ok("POST", "/execute/sync", Some(json!({ "script": script, "args": [{ ELEMENT_KEY: element.id }] })));
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let data = self.ok("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap_or_default()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn quit(self) {
        let _ = self.send("DELETE", "", None);
    }
}
