//! Unit tests of `oidc`.

use super::*;

fn raw(extra: &str) -> Result<OidcConfig, FieldError> {
    #[derive(Deserialize)]
    struct File {
        oidc: RawOidc,
    }
    let text = format!(
        "[oidc]\nissuer = \"https://login.example.com/realms/acme\"\nclient_id = \"horrors\"\nclient_secret_env = \"HORRORS_OIDC_SECRET\"\nredirect_url = \"https://horrors.example.com/auth/callback\"\ndisplay_name = \"Acme login\"\n{extra}"
    );
    let file: File = toml::from_str(&text).expect("the test's TOML reads");
    OidcConfig::from_raw(file.oidc)
}

#[test]
fn reads_the_spec_example_with_defaults() {
    let config = raw("[oidc.roles]\nviewer = [\"executives\"]\n").unwrap();
    assert_eq!(config.role_claim, "groups");
    assert_eq!(config.site_claim, None);
    assert_eq!(config.roles.viewer, vec!["executives".to_string()]);
}

#[test]
fn refuses_bad_settings_naming_the_key() {
    let roles = "[oidc.roles]\nstaff = [\"floor\"]\n";
    let cases = [
        (
            "issuer = \"http://login.example.com\"\n",
            "auth.oidc.issuer",
        ),
        (
            "redirect_url = \"https://h.example.com/cb\"\n",
            "auth.oidc.redirect_url",
        ),
        (
            "client_secret_env = \"NOT A NAME\"\n",
            "auth.oidc.client_secret_env",
        ),
        ("display_name = \"\"\n", "auth.oidc.display_name"),
        ("role_claim = \" \"\n", "auth.oidc.role_claim"),
    ];
    for (line, key) in cases {
        // The later line of a duplicated key is a TOML error; replace instead.
        let name = line.split(' ').next().unwrap();
        let base = format!("{name} = ");
        let mut text = String::new();
        let template = "issuer = \"https://login.example.com/realms/acme\"\nclient_id = \"horrors\"\nclient_secret_env = \"HORRORS_OIDC_SECRET\"\nredirect_url = \"https://horrors.example.com/auth/callback\"\ndisplay_name = \"Acme login\"\n";
        for l in template.lines() {
            if l.starts_with(&base) {
                text.push_str(line);
            } else {
                text.push_str(l);
                text.push('\n');
            }
        }
        if !text.contains(&base) {
            text.push_str(line);
        }
        #[derive(Deserialize)]
        struct File {
            oidc: RawOidc,
        }
        let file: File = toml::from_str(&format!("[oidc]\n{text}{roles}")).unwrap();
        let error = OidcConfig::from_raw(file.oidc).unwrap_err().to_string();
        assert!(error.starts_with(key), "{line}: {error}");
    }
    assert!(raw("")
        .unwrap_err()
        .to_string()
        .starts_with("auth.oidc.roles"));
}

#[test]
fn plain_http_only_to_this_machine() {
    for (url, ok) in [
        ("https://login.example.com", true),
        ("http://127.0.0.1:9400", true),
        ("http://localhost:9400/realms/x", true),
        ("http://login.example.com", false),
        ("ftp://login.example.com", false),
        ("login.example.com", false),
    ] {
        assert_eq!(check_url("issuer", url).is_ok(), ok, "{url}");
    }
}

#[test]
fn the_highest_mapped_role_wins() {
    let roles = RoleMap {
        admin: vec!["quality-leads".into()],
        viewer: vec!["executives".into(), "station-managers".into()],
        staff: vec!["floor".into()],
    };
    let of =
        |values: &[&str]| roles.role_of(&values.iter().map(|v| v.to_string()).collect::<Vec<_>>());
    assert_eq!(of(&["floor", "executives"]), Some(Role::Viewer));
    assert_eq!(of(&["floor", "quality-leads"]), Some(Role::Admin));
    assert_eq!(of(&["floor"]), Some(Role::Staff));
    assert_eq!(of(&["visitors"]), None);
    assert_eq!(of(&[]), None);
}

#[test]
fn claims_are_a_string_or_an_array_of_strings() {
    let payload = serde_json::json!({
        "groups": ["a", 3, "b"], "site": "dallas", "n": 5
    });
    assert_eq!(claim_values(&payload, "groups"), vec!["a", "b"]);
    assert_eq!(claim_values(&payload, "site"), vec!["dallas"]);
    assert!(claim_values(&payload, "n").is_empty());
    assert!(claim_values(&payload, "missing").is_empty());
}

#[test]
fn names_lose_control_characters() {
    assert_eq!(shown_name("Ana\u{7}\nLee"), "AnaLee");
    assert_eq!(shown_name("\n"), "(no name)");
    assert_eq!(shown_name(&"x".repeat(80)).chars().count(), 60);
}
