//! A TCP proxy between Chromium and the server, with a switch that cuts the network for
//! real.
//!
//! CDP's offline emulation (`Page::set_offline`) does not hold for the first moments of a
//! reloaded document: on a loaded machine (Chromium 156), the tally reloaded offline saw
//! `navigator.onLine` true and its first sync's POST went out onto the network (the
//! offline test's flake: three taps reached the server). While the proxy is cut, no byte
//! from the browser reaches the server whatever the browser does: the connections already
//! open are shut down, and new ones are closed as soon as they are accepted.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;

/// The proxy: its origin is what the browser is given instead of the server's.
pub struct Proxy {
    pub origin: String,
    switch: Arc<Switch>,
}

/// Whether the network is cut, and both ends of every connection open through the proxy.
#[derive(Default)]
struct Switch {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    cut: bool,
    next_id: u64,
    open: HashMap<u64, [TcpStream; 2]>,
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1 and forwards every connection to `server` (an
    /// origin such as `http://127.0.0.1:8080`). Its threads live as long as the test process.
    pub fn start(server: &str) -> Proxy {
        let upstream: SocketAddr = server
            .strip_prefix("http://")
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("{server} is not http://IP:PORT"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the proxy");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let switch = Arc::new(Switch::default());
        let accepting = Arc::clone(&switch);
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                accepting.forward(client, upstream);
            }
        });
        Proxy { origin, switch }
    }

    /// Cuts the network: shuts down every open connection, and closes new ones at once.
    pub fn cut(&self) {
        let mut state = self.switch.lock();
        state.cut = true;
        for (_, ends) in state.open.drain() {
            for end in ends {
                let _ = end.shutdown(Shutdown::Both);
            }
        }
    }

    /// Gives the network back.
    pub fn restore(&self) {
        self.switch.lock().cut = false;
    }
}

impl Switch {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connects `client` to the server and copies bytes both ways, unless the network is cut
    /// (then `client` is closed and nothing reaches the server).
    fn forward(self: &Arc<Switch>, client: TcpStream, upstream: SocketAddr) {
        if self.lock().cut {
            return;
        }
        let Ok(server) = TcpStream::connect(upstream) else {
            return;
        };
        // Registered under the same lock `cut` takes: a cut that came while connecting
        // closes this connection before its first byte is copied.
        let id = {
            let mut state = self.lock();
            if state.cut {
                return;
            }
            let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            state.next_id += 1;
            let id = state.next_id;
            state.open.insert(id, [c, s]);
            id
        };
        let link = Arc::new(Link {
            id,
            switch: Arc::clone(self),
        });
        let (Ok(client_reader), Ok(server_reader)) = (client.try_clone(), server.try_clone())
        else {
            return;
        };
        let to_server = Arc::clone(&link);
        thread::spawn(move || pump(client_reader, server, &to_server));
        thread::spawn(move || pump(server_reader, client, &link));
    }
}

/// One connection through the proxy: forgotten when both of its pumps have ended.
struct Link {
    id: u64,
    switch: Arc<Switch>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.switch.lock().open.remove(&self.id);
    }
}

/// Copies `from` to `to` until `from` ends (then `to` is told so) or either fails (then
/// both are shut down: a cut makes every later read and write fail).
fn pump(mut from: TcpStream, mut to: TcpStream, _link: &Link) {
    match io::copy(&mut from, &mut to) {
        Ok(_) => {
            let _ = to.shutdown(Shutdown::Write);
        }
        Err(_) => {
            let _ = from.shutdown(Shutdown::Both);
            let _ = to.shutdown(Shutdown::Both);
        }
    }
}
