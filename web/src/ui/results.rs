//! The right column: progress, notices, per table the summary, status map, filters, exports and the
//! virtualised cell table; the explanation of a clicked cell.

use super::app::{App, Msg};
use crate::i18n::{self, t};
use crate::protocol::{ExportKind, Filter};
use crate::state::{Action, State};
use cellguard_engine::{Lang, RuleCode, Status};
use wasm_bindgen::{Clamped, JsCast};
use yew::html::Scope;
use yew::prelude::*;

/// Height of a table row in pixels (the CSS says the same).
pub(super) const ROW_PX: u32 = 24;
/// Rows visible in the table's viewport.
const VISIBLE: u32 = 24;

pub fn busy(state: &State, link: &Scope<App>) -> Html {
    let lang = state.lang;
    let Some(b) = &state.busy else {
        return html! {};
    };
    let pct = (b.fraction() * 100.0).round();
    html! {
        <div class="busy" id="busy">
            <span>{ t(lang, "checking") }{" "}{ &b.file }{ format!(" ({}/{})", b.done + 1, b.total) }</span>
            <progress max="100" value={pct.to_string()} />
            <button id="cancel" onclick={link.callback(|_| Msg::Act(Action::Cancel))}>{ t(lang, "cancel") }</button>
        </div>
    }
}

pub fn notices(state: &State) -> Html {
    html! {
        <>
            if state.cancelled { <p class="notice" id="cancelled">{ t(state.lang, "cancelled") }</p> }
            { for state.notices.iter().map(|n| html! { <p class="notice" role="alert">{ n }</p> }) }
        </>
    }
}

fn status_class(s: Status) -> &'static str {
    s.as_str()
}

pub fn view(state: &State, link: &Scope<App>, scroll_row: u32, canvas: &NodeRef) -> Html {
    let lang = state.lang;
    let Some(out) = &state.outcome else {
        return html! { <p class="empty">{ t(lang, "empty") }</p> };
    };
    if out.tables.is_empty() {
        return html! {};
    }
    let tabs = html! {
        <nav class="tabs">
            { for out.tables.iter().enumerate().map(|(i, tv)| {
                let i = i as u32;
                let class = if i == state.selected { "tab active" } else { "tab" };
                html! { <button {class} onclick={link.callback(move |_| Msg::Act(Action::Select(i)))}>
                    { &tv.name }{" "}<span class="badge unsafe">{ tv.counts.unsafe_ }</span>
                </button> }
            }) }
        </nav>
    };
    let Some(tv) = state.table() else {
        return tabs;
    };
    let c = &tv.counts;
    let filter = state.filter;
    let on_not_safe = link.callback(move |e: Event| {
        let checked = e
            .target_unchecked_into::<web_sys::HtmlInputElement>()
            .checked();
        Msg::Act(Action::SetFilter(Filter {
            not_safe: checked,
            ..filter
        }))
    });
    let on_rule = link.callback(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        let rule = RuleCode::ALL.into_iter().find(|r| r.as_str() == v);
        Msg::Act(Action::SetFilter(Filter { rule, ..filter }))
    });
    let export = |k: ExportKind| link.callback(move |_| Msg::Act(Action::Export(k.clone())));
    let on_map = map_click(link, tv.heat.width, tv.heat.height);
    let selected = state.selected;
    html! {
        <div class="table-result">
            { tabs }
            <div class="summary" id="summary">
                <h2>{ t(lang, "summary") }{": "}{ &tv.name }</h2>
                <p>
                    <span class="count" id="count-cells">{ c.cells }</span>{" "}{ i18n::count_word(lang, c.cells, "cell", "cells") }{" — "}
                    <span class="chip safe">{ i18n::status(lang, Status::Safe) }{" "}<b id="count-safe">{ c.safe }</b></span>
                    <span class="chip review">{ i18n::status(lang, Status::Review) }{" "}<b id="count-review">{ c.review }</b></span>
                    <span class="chip unsafe">{ i18n::status(lang, Status::Unsafe) }{" "}<b id="count-unsafe">{ c.unsafe_ }</b></span>
                    if let Some(o) = &state.outcome { <span class="took">{ format!(" — {} {:.0} ms", t(lang, "took"), o.millis) }</span> }
                </p>
                <ul class="rules">
                    { for tv.rules.iter().map(|u| {
                        let n = c.by_rule.get(u.rule.as_str()).copied().unwrap_or(0);
                        let how = match u.how.as_str() { "applied" => t(lang, "applied"), "partly-applied" => t(lang, "partly_applied"), "off" => t(lang, "off"), _ => t(lang, "not_applicable") };
                        html! { <li class={u.how.clone()} data-rule={u.rule.as_str()}>
                            <b>{ i18n::rule(lang, u.rule) }</b>{ format!(": {how}") }
                            if n > 0 { { format!(" — {n} {}", i18n::count_word(lang, n, "cell", "cells")) } }
                            if let Some(r) = &u.reason { <span class="reason">{ format!(" ({})", i18n::reason(lang, r)) }</span> }
                        </li> }
                    }) }
                </ul>
            </div>
            <div class="heat">
                <h3>{ t(lang, "heatmap") }</h3>
                <canvas ref={canvas.clone()} id="heat" width={tv.heat.width.to_string()} height={tv.heat.height.to_string()}
                    title={t(lang, "map_click")} onclick={on_map}
                    role="img" aria-label={format!("{}. {} {} — {} {}, {} {}, {} {}. {}", t(lang, "heatmap"), c.cells,
                        i18n::count_word(lang, c.cells, "cell", "cells"), c.safe, i18n::status(lang, Status::Safe),
                        c.review, i18n::status(lang, Status::Review), c.unsafe_, i18n::status(lang, Status::Unsafe),
                        pixel_words(lang, tv.heat.block_w, tv.heat.block_h))} />
                <div class="legend" id="legend">{ t(lang, "legend") }{": "}
                    { for [Status::Safe, Status::Review, Status::Unsafe].into_iter().map(|s| html! {
                        <span class={classes!("chip", status_class(s))}>{ i18n::status(lang, s) }</span>
                    }) }
                    <span class="pixel">{ format!(" — {}", pixel_words(lang, tv.heat.block_w, tv.heat.block_h)) }</span>
                </div>
            </div>
            <div class="exports">
                <b>{ t(lang, "export") }{": "}</b>
                <button id="export-json" onclick={export(ExportKind::ReportJson)}>{ t(lang, "export_json") }</button>
                <button id="export-compact" onclick={export(ExportKind::CompactJson)}>{ t(lang, "export_compact") }</button>
                // A CSV file has no place for a note: the button says what its `x` means (the XLSX has a notes sheet).
                <button id="export-csv" title={t(lang, if state.protect.kept.contains_key(&selected) { "protected_note" } else { "primary_only" })}
                    onclick={export(ExportKind::Csv(selected))}>{ t(lang, "export_csv") }</button>
                <button id="export-xlsx" onclick={export(ExportKind::Xlsx)}>{ t(lang, "export_xlsx") }</button>
                <button id="export-html" onclick={export(ExportKind::Html(lang))}>{ t(lang, "export_html") }</button>
            </div>
            { super::protect::panel(state, link) }
            <div class="filters">
                <label><input id="only-not-safe" type="checkbox" checked={filter.not_safe} onchange={on_not_safe} />{ t(lang, if state.protect.kept.contains_key(&selected) { "only_not_published" } else { "only_not_safe" }) }</label>
                <label>{ t(lang, "by_rule") }{" "}
                    <select id="rule-filter" onchange={on_rule}>
                        <option value="" selected={filter.rule.is_none()}>{ t(lang, "all_rules") }</option>
                        { for RuleCode::ALL.into_iter().filter(|r| c.by_rule.contains_key(r.as_str())).map(|r| html! {
                            <option value={r.as_str()} selected={filter.rule == Some(r)}>{ i18n::rule(lang, r) }</option>
                        }) }
                    </select>
                </label>
                if let Some(p) = &state.page { <span class="matching" id="matching">{ format!("{} {}", p.total, i18n::count_word(lang, u64::from(p.total), "matching_one", "matching")) }</span> }
            </div>
            { grid(state, link, scroll_row) }
        </div>
    }
}

/// The virtualised cell table: a scroll box as tall as every matching row, with only the fetched window drawn.
fn grid(state: &State, link: &Scope<App>, scroll_row: u32) -> Html {
    let lang = state.lang;
    let (Some(tv), Some(page)) = (state.table(), &state.page) else {
        return html! {};
    };
    let onscroll = link.callback(|e: Event| {
        let el = e.target_unchecked_into::<web_sys::Element>();
        Msg::Scroll((el.scroll_top().max(0) as u32) / ROW_PX)
    });
    let first = scroll_row.saturating_sub(4);
    let last = scroll_row + VISIBLE + 4;
    let rows = page.rows.iter().enumerate().filter_map(|(i, r)| {
        let at = page.offset + i as u32;
        (at >= first && at < last).then_some((at, r))
    });
    let header = tv.dims.iter().chain(&tv.published);
    // The protect panel's pattern of this table, when it is shown: its secondary cells are marked (a colour and a
    // hatching, and the word).
    let pattern = protected(state).map(|p| p.roles.as_slice());
    let secondary = |cell: u32| pattern.and_then(|r| r.get(cell as usize)) == Some(&2);
    html! {
        <div class="grid">
            <div class="grid-head row">
                { for header.map(|h| html! { <span>{ h }</span> }) }
                <span>{ t(lang, "status") }</span><span>{ t(lang, "by_rule") }</span>
            </div>
            <div class="viewport" id="viewport" {onscroll}>
                <div class="spacer" style={format!("height:{}px", page.total * ROW_PX)}>
                    { for rows.map(|(at, r)| {
                        let cell = r.cell;
                        html! {
                            <div class={classes!("row", "cell-row", status_class(r.status), secondary(cell).then_some("secondary"))} data-cell={cell.to_string()}
                                style={format!("top:{}px", at * ROW_PX)} tabindex="0"
                                onclick={link.callback(move |_| Msg::Act(Action::ShowCell(cell)))}
                                onkeydown={link.batch_callback(move |e: KeyboardEvent| {
                                    matches!(e.key().as_str(), "Enter" | " ").then(|| {
                                        e.prevent_default();
                                        Msg::Act(Action::ShowCell(cell))
                                    })
                                })}>
                                { for r.coords.iter().map(|v| html! { <span>{ v }</span> }) }
                                { for r.published.iter().map(|v| html! { <span class="num">{ i18n::number(lang, v) }</span> }) }
                                <span class="st">{ i18n::status(lang, r.status) }
                                    if secondary(cell) { { format!(" · {}", t(lang, "secondary")) } }</span>
                                <span class="why">{ r.rules.iter().map(|x| i18n::rule(lang, *x)).collect::<Vec<_>>().join(", ") }</span>
                            </div>
                        }
                    }) }
                </div>
            </div>
        </div>
    }
}

pub fn explanation(state: &State, link: &Scope<App>) -> Html {
    let lang = state.lang;
    let Some(e) = &state.explanation else {
        return html! {};
    };
    html! {
        <div class="overlay" onclick={link.callback(|_| Msg::Act(Action::CloseExplanation))}
            onkeydown={link.batch_callback(|e: KeyboardEvent| {
                (e.key() == "Escape").then_some(Msg::Act(Action::CloseExplanation))
            })}>
            <div class="explain" id="explain" role="dialog" aria-modal="true" aria-labelledby="explain-title" tabindex="-1"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2 id="explain-title">{ t(lang, "explanation") }</h2>
                <p class="coords">
                    { for e.coords.iter().enumerate().map(|(i, (d, c))| html! {
                        <>{ if i > 0 { ", " } else { "" } }<span class="coord"><b>{ d }</b>{ format!(" = {c}") }</span></>
                    }) }
                    <span class="rowno">{ format!(" ({} {})", t(lang, "row"), e.row) }</span>
                </p>
                <p><span class={classes!("chip", status_class(e.status))}>{ i18n::status(lang, e.status) }</span></p>
                if e.findings.is_empty() { <p>{ t(lang, "no_findings") }</p> }
                <ul class="findings">
                    { for e.findings.iter().map(|f| html! {
                        <li class={status_class(f.status)} data-rule={f.rule.as_str()}>
                            <b>{ i18n::rule(lang, f.rule) }</b>{ format!(" ({}): ", i18n::status(lang, f.status)) }
                            <span class="detail">{ f.detail(lang) }</span>
                        </li>
                    }) }
                </ul>
                if let Some(s) = protected(state).and_then(|p| p.suppressed.iter().find(|s| s.cell == e.cell)) {
                    <div class="suppressed" id="explain-suppressed">
                        if s.secondary {
                            <p><b>{ t(lang, "protects") }{": "}</b>{ s.protects.join("; ") }</p>
                        }
                        <p>{ t(lang, "suppressed_interval")
                            .replace("{min}", &i18n::number(lang, &s.interval.0))
                            .replace("{max}", &i18n::number(lang, &s.interval.1)) }</p>
                    </div>
                }
                <h3>{ t(lang, "shadow") }</h3>
                <table class="shadow">
                    { for e.shadow.iter().map(|(k, v)| html! { <tr><th>{ k }</th><td>{ i18n::number(lang, v) }</td></tr> }) }
                </table>
                <button id="close-explain" onclick={link.callback(|_| Msg::Act(Action::CloseExplanation))}>{ t(lang, "close") }</button>
            </div>
        </div>
    }
}

/// A click on the status map of `width` × `height` blocks: the table goes to a cell of the block clicked. The
/// picture is scaled to fit its box from the top left (the style's `object-fit: contain`), so the block is the
/// click's place over that scale; a click beside the picture goes nowhere.
fn map_click(link: &Scope<App>, width: u32, height: u32) -> Callback<MouseEvent> {
    link.batch_callback(move |e: MouseEvent| {
        let el = e.target_unchecked_into::<web_sys::Element>();
        let scale = (f64::from(el.client_width()) / f64::from(width.max(1)))
            .min(f64::from(el.client_height()) / f64::from(height.max(1)));
        // A picture not laid out (no size) or a NaN scale: nowhere to go.
        if scale.is_nan() || scale <= 0.0 {
            return None;
        }
        let x = (f64::from(e.offset_x()) / scale).floor();
        let y = (f64::from(e.offset_y()) / scale).floor();
        (x >= 0.0 && y >= 0.0 && x < f64::from(width) && y < f64::from(height)).then(|| {
            Msg::Act(Action::Locate {
                x: x as u32,
                y: y as u32,
            })
        })
    })
}

/// The protect panel's answer for the table shown, when it has one.
fn protected(state: &State) -> Option<&crate::protect::Protected> {
    match &state.protect.done {
        Some((run, table, Ok(p))) if *run == state.run && *table == state.selected => Some(p),
        _ => None,
    }
}

/// What a pixel of the status map stands for: one cell, or a block of cells shown by its worst status.
fn pixel_words(lang: Lang, across: u32, down: u32) -> String {
    if across.max(1) * down.max(1) == 1 {
        return t(lang, "pixel_cell").to_owned();
    }
    t(lang, "pixel_block")
        .replace("{across}", &across.to_string())
        .replace("{down}", &down.to_string())
}

/// Paints the status map into its canvas: grey none, green safe, amber review, red unsafe.
pub fn draw_heat(state: &State, canvas: &NodeRef) {
    let (Some(tv), Some(canvas)) = (state.table(), canvas.cast::<web_sys::HtmlCanvasElement>())
    else {
        return;
    };
    let h = &tv.heat;
    if h.width == 0 || h.height == 0 {
        return;
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let mut rgba = Vec::with_capacity(h.pixels.len() * 4);
    for (i, p) in h.pixels.iter().enumerate() {
        let full: [u8; 3] = match p {
            1 => [0x4c, 0xaf, 0x50],
            2 => [0xf5, 0xb0, 0x41],
            3 => [0xd9, 0x30, 0x25],
            _ => [0xee, 0xee, 0xee],
        };
        // A block that is not all safe: its worst status's colour, from a pale tint when one of its cells is not
        // safe to the full colour when all are (the share, in 255ths).
        let share = if *p >= 2 {
            h.shares.get(i).copied().unwrap_or(u8::MAX)
        } else {
            u8::MAX
        };
        let c = full.map(|f| tint(f, share));
        rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
    }
    if let Ok(img) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), h.width, h.height)
    {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
}

/// Colour channel `full` for a block whose share of cells that are not safe is `share` (1 to 255): a third of
/// the way from white for the smallest share, the full colour for all.
fn tint(full: u8, share: u8) -> u8 {
    let white = 255.0 - f64::from(full);
    let strength = 1.0 / 3.0 + 2.0 / 3.0 * f64::from(share) / 255.0;
    (255.0 - white * strength).round() as u8
}
