//! A tick as JSON, written by hand: the same bytes as serde_json writes for [`Tick`]'s
//! derived `Serialize`, for the tick's hot path (docs/decisions.md, "The tick's answer
//! written directly"). The tests hold the two writers together.

use super::Tick;

impl Tick {
    /// Appends the tick's JSON to `out`, the same bytes as `serde_json` writes for it (the
    /// tests hold the two together): its keys go in as they are, where `serde_json` would
    /// scan each for characters to escape. A tick's answer is the tick's hot path's largest
    /// single cost after the commit (docs/performance.md, "Twelfth session").
    pub fn write_json(&self, out: &mut Vec<u8>) {
        fn text(out: &mut Vec<u8>, value: &str) {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, value);
        }
        fn maybe(out: &mut Vec<u8>, value: Option<&str>) {
            match value {
                Some(value) => text(out, value),
                None => out.extend_from_slice(b"null"),
            }
        }
        fn number(out: &mut Vec<u8>, value: i64) {
            out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
        }
        out.extend_from_slice(b"{\"id\":");
        number(out, self.id);
        out.extend_from_slice(b",\"horror\":");
        text(out, self.horror.as_str());
        out.extend_from_slice(b",\"qty\":");
        number(out, self.qty);
        out.extend_from_slice(b",\"occurred_at\":");
        text(out, &self.occurred_at);
        out.extend_from_slice(b",\"day\":");
        text(out, &self.day);
        out.extend_from_slice(b",\"site\":");
        maybe(out, self.site.as_ref().map(|s| s.as_str()));
        out.extend_from_slice(b",\"source\":");
        text(out, self.source.as_str());
        out.extend_from_slice(b",\"department\":");
        maybe(out, self.department.as_deref());
        out.extend_from_slice(b",\"note\":");
        maybe(out, self.note.as_deref());
        out.extend_from_slice(b",\"cost\":");
        text(out, &self.cost);
        out.extend_from_slice(b",\"cost_minor\":");
        number(out, self.cost_minor.get());
        out.extend_from_slice(b",\"recorded_at\":");
        text(out, &self.recorded_at);
        out.extend_from_slice(b",\"recorded_by\":");
        text(out, &self.recorded_by);
        out.extend_from_slice(if self.voided {
            b",\"voided\":true,\"void_reason\":"
        } else {
            b",\"voided\":false,\"void_reason\":"
        });
        maybe(out, self.void_reason.as_deref());
        if let Some(sheet) = self.sheet {
            out.extend_from_slice(b",\"sheet\":");
            number(out, sheet);
        }
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use crate::keys::{HorrorKey, SiteKey};
    use crate::money::Minor;
    use crate::ticks::{Source, Tick};

    #[test]
    fn a_ticks_own_json_is_serde_jsons() {
        let plain = Tick {
            id: 1,
            horror: HorrorKey::parse("late-delivery").unwrap(),
            qty: 1,
            occurred_at: "2026-12-06T09:02:02.331Z".into(),
            day: "2026-12-06".into(),
            site: None,
            source: Source::Internal,
            department: None,
            note: None,
            cost: "35.00".into(),
            cost_minor: Minor::new(3500),
            recorded_at: "2026-12-06T09:02:02.331Z".into(),
            recorded_by: "b".into(),
            voided: false,
            void_reason: None,
            sheet: None,
        };
        let odd =
            "quote \" backslash \\ newline \n tab \t bell \u{7} del \u{7f} é 日本 🎉 </script>";
        let mut ticks = vec![plain.clone()];
        for (i, source) in Source::ALL.into_iter().enumerate() {
            ticks.push(Tick {
                id: i64::MAX - i as i64,
                qty: 1000,
                site: SiteKey::from_column(format!("site-{i}")),
                source,
                department: Some(odd.into()),
                note: Some(format!("{odd} {i}")),
                cost: "-0.05".into(),
                cost_minor: Minor::new(i64::MIN + i as i64),
                recorded_by: odd.into(),
                voided: i % 2 == 0,
                void_reason: (i % 2 == 0).then(|| odd.to_string()),
                sheet: (i > 1).then_some(-(i as i64)),
                ..plain.clone()
            });
        }
        for tick in &ticks {
            let mut ours = Vec::new();
            tick.write_json(&mut ours);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(tick).unwrap()
            );
        }
    }
}
