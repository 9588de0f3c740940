//! The second ceiling for `POST /api/ticks`, which `scripts/bench` measures horrors against
//! in the same run: the least a service must do to acknowledge a tick *durably*, written
//! the plain way, with nothing of horrors in it.
//!
//! `durable ADDR DB TOKEN`: actix-web (default workers); a bearer check against a map of
//! tokens; the JSON tick; one writer thread that commits whatever is waiting in one SQLite
//! transaction (WAL, `synchronous=FULL`): a row in `ticks` (an index on (day, horror) and a
//! unique index on the idempotency key) and an upsert of the daily rollup per tick; the 201
//! is sent only after the commit. It prints `listening on http://ADDR` on stderr.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde::Deserialize;
use tokio::sync::oneshot;

#[derive(Deserialize)]
struct Tick {
    horror: String,
    qty: Option<i64>,
    source: Option<String>,
    site: Option<String>,
}

struct Job {
    tick: Tick,
    name: String,
    key: Option<String>,
    done: oneshot::Sender<rusqlite::Result<i64>>,
}

struct State {
    tokens: HashMap<String, String>,
    writer: mpsc::Sender<Job>,
}

async fn tick(
    request: HttpRequest,
    state: web::Data<State>,
    body: web::Json<Tick>,
) -> HttpResponse {
    let bearer = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(name) = bearer.and_then(|t| state.tokens.get(t)) else {
        return HttpResponse::Unauthorized().finish();
    };
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (done, answer) = oneshot::channel();
    let tick = body.into_inner();
    let horror = tick.horror.clone();
    let job = Job {
        tick,
        name: name.clone(),
        key,
        done,
    };
    if state.writer.send(job).is_err() {
        return HttpResponse::ServiceUnavailable().finish();
    }
    match answer.await {
        Ok(Ok(id)) => HttpResponse::Created().json(serde_json::json!({"id": id, "horror": horror})),
        _ => HttpResponse::ServiceUnavailable().finish(),
    }
}

fn open(path: &str) -> rusqlite::Result<rusqlite::Connection> {
    let db = rusqlite::Connection::open(path)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS ticks (
             id INTEGER PRIMARY KEY, horror TEXT NOT NULL, qty INTEGER NOT NULL,
             day TEXT NOT NULL, occurred_at TEXT NOT NULL, source TEXT NOT NULL,
             site TEXT, recorded_by TEXT NOT NULL, idempotency_key TEXT);
         CREATE INDEX IF NOT EXISTS ticks_day_horror ON ticks (day, horror);
         CREATE UNIQUE INDEX IF NOT EXISTS ticks_key ON ticks (recorded_by, idempotency_key);
         CREATE TABLE IF NOT EXISTS daily (
             day TEXT NOT NULL, horror TEXT NOT NULL, count INTEGER NOT NULL,
             PRIMARY KEY (day, horror));",
    )?;
    Ok(db)
}

/// Commits whatever is waiting in one transaction, then answers each job.
fn write(db: &mut rusqlite::Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        group.extend(jobs.try_iter());
        let now = chrono::Utc::now();
        let day = now.date_naive().to_string();
        let at = now.to_rfc3339();
        let result = (|| -> rusqlite::Result<Vec<i64>> {
            let tx = db.transaction()?;
            let mut ids = Vec::with_capacity(group.len());
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO ticks (horror, qty, day, occurred_at, source, site, recorded_by,
                         idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                let mut rollup = tx.prepare_cached(
                    "INSERT INTO daily (day, horror, count) VALUES (?1, ?2, ?3)
                     ON CONFLICT (day, horror) DO UPDATE SET count = count + excluded.count",
                )?;
                for job in &group {
                    let qty = job.tick.qty.unwrap_or(1);
                    let source = job.tick.source.as_deref().unwrap_or("internal");
                    insert.execute(rusqlite::params![
                        job.tick.horror,
                        qty,
                        day,
                        at,
                        source,
                        job.tick.site,
                        job.name,
                        job.key
                    ])?;
                    ids.push(tx.last_insert_rowid());
                    rollup.execute(rusqlite::params![day, job.tick.horror, qty])?;
                }
            }
            tx.commit()?;
            Ok(ids)
        })();
        match result {
            Ok(ids) => {
                for (job, id) in group.into_iter().zip(ids) {
                    let _ = job.done.send(Ok(id));
                }
            }
            Err(e) => {
                for job in group {
                    let _ = job
                        .done
                        .send(Err(rusqlite::Error::InvalidParameterName(e.to_string())));
                }
            }
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(addr), Some(path), Some(token)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: durable ADDR DB TOKEN");
        std::process::exit(2);
    };
    let mut db = open(path).map_err(std::io::Error::other)?;
    let (writer, jobs) = mpsc::channel();
    std::thread::spawn(move || write(&mut db, jobs));
    let state = web::Data::from(Arc::new(State {
        tokens: HashMap::from([(token.clone(), "bench".to_owned())]),
        writer,
    }));
    let listener = std::net::TcpListener::bind(addr.as_str())?;
    eprintln!("durable is listening on http://{}", listener.local_addr()?);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/api/ticks", web::post().to(tick))
        })
        .listen(listener)?
        .run()
        .await
    })
}
