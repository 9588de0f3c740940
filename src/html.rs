//! The shell every HTML document shares, the pages' and the annual review's
//! (`review.html`): below both, so that an export needs nothing from the pages.

use maud::{html, Markup, DOCTYPE};

use crate::i18n::Lang;

/// An HTML document in `lang`: the character set and the viewport, then `head` and `body`.
pub fn document(lang: Lang, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                (head)
            }
            body { (body) }
        }
    }
}
