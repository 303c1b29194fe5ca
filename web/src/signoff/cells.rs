//! The cells a reviewer opens under an output's row (see [`crate::signoff_cells`]): each with its coordinates,
//! row, status, and every rule that fired with its numbers, in the reviewer's language.

use crate::i18n;
use crate::signoff_cells::{Cell, Checked};
use crate::signoff_words::w;
use cellguard_engine::Lang;
use yew::prelude::*;

/// The cells of one output, to open under its row.
pub fn view(lang: Lang, name: &str, checked: &Result<Checked, String>) -> Html {
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            return html! { <p class="cells-error" role="alert">{ w(lang, "cannot_check") }{": "}{ e }</p> };
        }
    };
    if checked.not_safe == 0 {
        return html! { <p class="cells-none">{ w(lang, "cells_none") }</p> };
    }
    let line = |c: &Cell| {
        let dims: Vec<&str> = c.coords.iter().map(|(d, _)| d.as_str()).collect();
        let at = (c.coords.iter())
            .map(|(d, code)| format!("{d} = {code}"))
            .collect::<Vec<_>>()
            .join(", ");
        html! {
            <li class={classes!("cell", c.status.as_str())}>
                <strong>{ at }</strong>{" "}
                <span class="muted">{ format!("({} {})", w(lang, "row"), c.row) }</span>{": "}
                { i18n::status(lang, c.status) }
                <ul>{ for c.findings.iter().map(|f| html! {
                    <li><strong>{ i18n::rule(lang, f.rule) }</strong>{": "}{ f.detail_in(lang, &dims) }</li>
                }) }</ul>
            </li>
        }
    };
    let more = checked.not_safe - checked.cells.len();
    html! {
        <details class="cells" data-output={name.to_owned()}>
            <summary>{ format!("{} {}", checked.not_safe, w(lang, "cells_open")) }</summary>
            <ul>{ for checked.cells.iter().map(line) }</ul>
            if more > 0 { <p class="muted">{ format!("{more} {}", w(lang, "cells_more")) }</p> }
        </details>
    }
}
