//! How horrors reaches PostgreSQL over TLS, in one place: `sslmode` and `sslrootcert` read
//! from the URL as libpq reads them, and every PostgreSQL connection made through
//! [`PgConfig::connect`] (rustls, no OpenSSL).
//!
//! | `sslmode` | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | no | – |
//! | `prefer` (default) | if the server offers TLS | only against `sslrootcert` when given |
//! | `require` | yes | only against `sslrootcert` when given |
//! | `verify-ca` | yes | signed by a CA in `sslrootcert` |
//! | `verify-full` | yes | signed by a CA in `sslrootcert`, and for the host connected to |
//!
//! As with libpq, `verify-ca` and `verify-full` without `sslrootcert` read
//! `~/.postgresql/root.crt`, and `PGSSLMODE` / `PGSSLROOTCERT` stand in for a URL that
//! names neither.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};

pub use crate::location::{PgConfig, SslMode};

/// The store's side of a PostgreSQL location: connecting over TLS.
impl PgConfig {
    /// Connects (the one place a PostgreSQL connection is made). A TLS failure is one line
    /// saying what did not match; a refused connection stays "unavailable".
    pub fn connect(&self) -> crate::error::Result<postgres::Client> {
        use crate::error::Error;
        if self.mode == SslMode::Disable {
            return self
                .config
                .connect(postgres::NoTls)
                .map_err(|e| refused(e, self.mode));
        }
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(self.client_config()?);
        self.config.connect(tls).map_err(|e| match tls_problem(&e) {
            Some(problem) => Error::internal(format!("TLS: {problem}")),
            None => refused(e, self.mode),
        })
    }

    fn client_config(&self) -> crate::error::Result<ClientConfig> {
        use crate::error::Error;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::internal(format!("TLS: {e}")))?;
        let verify = matches!(self.mode, SslMode::VerifyCa | SslMode::VerifyFull);
        let root = match &self.root_cert {
            Some(path) => Some(path.clone()),
            None if verify => Some(default_root_cert().ok_or_else(|| {
                Error::internal(format!(
                    "TLS: sslmode={} needs sslrootcert=PATH (the CA certificate file; ~/.postgresql/root.crt does not exist)",
                    if self.mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" }
                ))
            })?),
            None => None,
        };
        let verifier: Arc<dyn ServerCertVerifier> = match root {
            // Encryption without a CA to check against (libpq's require and prefer).
            None => Arc::new(Lenient {
                provider,
                chain: None,
            }),
            Some(path) => {
                let roots = load_roots(&path).map_err(Error::internal)?;
                let webpki =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| {
                            Error::internal(format!("TLS: sslrootcert {}: {e}", path.display()))
                        })?;
                if self.mode == SslMode::VerifyFull {
                    webpki
                } else {
                    // libpq: verify-ca, and require/prefer with a root certificate, check
                    // the chain but not the name.
                    Arc::new(Lenient {
                        provider,
                        chain: Some(webpki),
                    })
                }
            }
        };
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }
}

/// A connection the server refused: its own words when it says why (authentication,
/// `pg_hba.conf`, an unknown database), with what to change for a server that wants TLS.
fn refused(e: postgres::Error, mode: SslMode) -> crate::error::Error {
    use crate::error::Error;
    let Some(db) = e.as_db_error() else {
        return crate::store::db::connect_error(e);
    };
    let code = db.code().code();
    if !(code.starts_with("28") || code.starts_with("3D")) {
        return crate::store::db::connect_error(e);
    }
    let message = db.message().replace('\n', " ");
    if mode == SslMode::Disable && message.contains("no encryption") {
        Error::internal(format!(
            "{message} (the server requires TLS: use sslmode=require, verify-ca or verify-full instead of sslmode=disable)"
        ))
    } else {
        Error::internal(message)
    }
}

fn default_root_cert() -> Option<PathBuf> {
    let path = Path::new(&std::env::var_os("HOME")?).join(".postgresql/root.crt");
    path.exists().then_some(path)
}

fn load_roots(path: &Path) -> Result<RootCertStore, String> {
    let shown = path.display();
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("TLS: sslrootcert {shown}: {e}"))?;
    for cert in certs {
        let cert = cert.map_err(|e| format!("TLS: sslrootcert {shown}: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("TLS: sslrootcert {shown}: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("TLS: sslrootcert {shown} holds no PEM certificate"));
    }
    Ok(roots)
}

/// What went wrong in a TLS handshake, in words, when that is why `e` happened.
fn tls_problem(e: &postgres::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(rustls_error) = s.downcast_ref::<rustls::Error>() {
            return Some(describe(rustls_error));
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return Some(describe(inner));
            }
        }
        source = s.source();
    }
    let text = e.to_string();
    text.contains("server does not support TLS")
        .then(|| "the server does not offer TLS (its ssl setting is off); use sslmode=prefer or disable, or turn ssl on".into())
}

fn describe(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is not signed by a certificate authority in sslrootcert".into()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the server's certificate is not for the host in the URL (sslmode=verify-full checks the name)".into(),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired".into(),
        other => format!("the handshake failed: {other}"),
    }
}

/// A certificate check laxer than rustls's: with no verifier any server certificate is
/// accepted (encryption only); with one the chain must end at a trusted CA but the name is
/// not checked (`verify-ca`). The handshake's signatures are checked either way.
#[derive(Debug)]
struct Lenient {
    provider: Arc<CryptoProvider>,
    chain: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_without_a_ca_file_say_what_is_missing() {
        let mut c: PgConfig = "postgres://u@h/db?sslmode=verify-ca".parse().unwrap();
        c.root_cert = Some("/nonexistent/ca.pem".into());
        let e = c.client_config().err().unwrap().to_string();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }
}
