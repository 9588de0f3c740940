//! The ceiling for `POST /api/ticks`: a bare actix-web handler that parses a tick-sized
//! JSON body and answers 201, with no auth, validation or storage. `scripts/bench`
//! measures horrors against this in the same run.

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Tick {
    horror: String,
    qty: Option<i64>,
    source: Option<String>,
}

async fn tick(body: web::Json<Tick>) -> HttpResponse {
    HttpResponse::Created().json(serde_json::json!({"id": 1, "horror": body.horror}))
}

fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = std::net::TcpListener::bind(bind)?;
    eprintln!("ceiling is listening on http://{}", listener.local_addr()?);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| App::new().route("/api/ticks", web::post().to(tick)))
            .listen(listener)?
            .run()
            .await
    })
}
