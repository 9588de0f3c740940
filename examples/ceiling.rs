//! Ceilings for `POST /api/ticks`, which `scripts/bench` measures horrors against in the
//! same run.
//!
//! `ceiling [ADDR]`: a bare actix-web handler that parses a tick-sized JSON body and
//! answers 201, with no auth, validation or storage.
//!
//! `ceiling ADDR postgres://URL [CLIENTS]`: the same handler, but every request also
//! inserts one row (`INSERT INTO t (a, b) VALUES ($1, $2)`, autocommit: one transaction and
//! one commit per request) through the same `postgres` crate (sync client) horrors uses, off
//! the async workers (`web::block`), on a fixed pool of CLIENTS connections (default 32, the
//! best of 2, 8, 16, 32 and 64 at 64 wrk connections on the 2-core benchmark machine): the
//! best a handler that stores one row per request can do against that server on this
//! machine. The table `t` is created if missing.

use std::sync::{Condvar, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Tick {
    horror: String,
    qty: Option<i64>,
    source: Option<String>,
    site: Option<String>,
}

async fn tick(body: web::Json<Tick>) -> HttpResponse {
    HttpResponse::Created().json(serde_json::json!({"id": 1, "horror": body.horror}))
}

/// A fixed pool of connections: a request waits for a free one.
struct Pool {
    idle: Mutex<Vec<(postgres::Client, postgres::Statement)>>,
    freed: Condvar,
}

impl Pool {
    fn insert(&self, a: &str, b: i64) -> Result<u64, postgres::Error> {
        let (mut client, stmt) = {
            let mut idle = self.idle.lock().unwrap();
            loop {
                match idle.pop() {
                    Some(conn) => break conn,
                    None => idle = self.freed.wait(idle).unwrap(),
                }
            }
        };
        let result = client.execute(&stmt, &[&a, &b]);
        self.idle.lock().unwrap().push((client, stmt));
        self.freed.notify_one();
        result
    }
}

async fn insert(pool: web::Data<Pool>, body: web::Json<Tick>) -> HttpResponse {
    let Tick { horror, qty, .. } = body.into_inner();
    let pool = pool.into_inner();
    let horror2 = horror.clone();
    match web::block(move || pool.insert(&horror2, qty.unwrap_or(1))).await {
        Ok(Ok(_)) => HttpResponse::Created().json(serde_json::json!({"id": 1, "horror": horror})),
        Ok(Err(e)) => HttpResponse::ServiceUnavailable().body(e.to_string()),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn connect_pool(url: &str, size: usize) -> Result<Pool, postgres::Error> {
    postgres::Client::connect(url, postgres::NoTls)?.batch_execute(
        "CREATE TABLE IF NOT EXISTS t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a TEXT NOT NULL, b BIGINT NOT NULL)",
    )?;
    let mut idle = Vec::with_capacity(size);
    for _ in 0..size {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        let stmt = client.prepare("INSERT INTO t (a, b) VALUES ($1, $2)")?;
        idle.push((client, stmt));
    }
    Ok(Pool {
        idle: Mutex::new(idle),
        freed: Condvar::new(),
    })
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let bind = args.get(1).cloned().unwrap_or_else(|| "127.0.0.1:0".into());
    let pool = match args.get(2) {
        Some(url) => {
            let size: usize = match args.get(3) {
                Some(n) => n
                    .parse()
                    .map_err(|e| std::io::Error::other(format!("CLIENTS: {e}")))?,
                None => 32,
            };
            Some(web::Data::new(
                connect_pool(url, size.max(1)).map_err(std::io::Error::other)?,
            ))
        }
        None => None,
    };
    let listener = std::net::TcpListener::bind(bind)?;
    eprintln!("ceiling is listening on http://{}", listener.local_addr()?);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || match &pool {
            Some(pool) => App::new()
                .app_data(pool.clone())
                .route("/api/ticks", web::post().to(insert)),
            None => App::new().route("/api/ticks", web::post().to(tick)),
        })
        .listen(listener)?
        .run()
        .await
    })
}
