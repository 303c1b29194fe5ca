//! The *Protect* panel under a table: secondary suppression by the protect module (method, cost, start and stop),
//! the pattern in numbers and its audit, and the protected table and protection file to save.

use super::app::{App, Msg};
use crate::i18n::t;
use crate::state::{Action, State};
use cellguard_engine::Lang;
use cellguard_engine::suppress::{Cost, Method};
use yew::html::Scope;
use yew::prelude::*;

const METHODS: [(Method, &str); 2] = [(Method::Fast, "fast"), (Method::Optimal, "optimal")];
const COSTS: [(Cost, &str); 4] = [
    (Cost::Value, "value"),
    (Cost::Unity, "unity"),
    (Cost::Units, "units"),
    (Cost::Log, "log"),
];

pub fn panel(state: &State, link: &Scope<App>) -> Html {
    let lang = state.lang;
    let p = &state.protect;
    let (method, cost) = (p.method, p.cost);
    let on_method = link.callback(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        let m = METHODS
            .iter()
            .find(|(_, code)| *code == v)
            .map_or(method, |(m, _)| *m);
        Msg::Act(Action::SetProtectOptions(m, cost))
    });
    let on_cost = link.callback(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        let c = COSTS
            .iter()
            .find(|(_, code)| *code == v)
            .map_or(cost, |(c, _)| *c);
        Msg::Act(Action::SetProtectOptions(method, c))
    });
    let go = link.callback(move |_| Msg::Act(Action::Protect(method, cost)));
    let on_time = link.callback(|e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlInputElement>()
            .value();
        Msg::Act(Action::SetProtectTimeLimit(
            v.trim().replace(',', ".").parse::<f64>().ok(),
        ))
    });
    let stop = link.callback(|_| Msg::Act(Action::StopProtecting));
    let on_linked = link.callback(|e: Event| {
        let on = e
            .target_unchecked_into::<web_sys::HtmlInputElement>()
            .checked();
        Msg::Act(Action::SetProtectLinked(on))
    });
    let shown = |run: u32, table: u32| run == state.run && table == state.selected;
    let running = p.running.is_some_and(|(_, run, table)| shown(run, table));
    let done = p
        .done
        .as_ref()
        .filter(|(run, table, _)| shown(*run, *table));
    html! {
        <details class="protect" id="protect">
            <summary>{ t(lang, "protect_title") }</summary>
            <p class="note">{ t(lang, "protect_note") }</p>
            { match state.protectable() {
                Err(why) => html! { <p class="note" id="protect-not">{ t(lang, why) }</p> },
                Ok(_) => html! {
                    <div class="protect-form">
                        <label>{ t(lang, "protect_method") }{" "}
                            <select id="protect-method" onchange={on_method}>
                                { for METHODS.iter().map(|(m, code)| html! {
                                    <option value={*code} selected={*m == method}>{ t(lang, method_key(*m)) }</option>
                                }) }
                            </select>
                        </label>
                        <label>{ t(lang, "protect_cost") }{" "}
                            <select id="protect-cost" onchange={on_cost}>
                                { for COSTS.iter().map(|(c, code)| html! {
                                    <option value={*code} selected={*c == cost}>{ t(lang, cost_key(*c)) }</option>
                                }) }
                            </select>
                        </label>
                        // Linked tables, when the run has two tables or more (`fast` only).
                        if method == Method::Fast && state.linkable().len() >= 2 {
                            <label><input id="protect-linked" type="checkbox" checked={p.linked} onchange={on_linked} />
                                { t(lang, "protect_linked") }</label>
                        }
                        if method == Method::Optimal {
                            <label>{ t(lang, "protect_time") }{" "}
                                <input id="protect-time" type="text" inputmode="decimal" size="5" onchange={on_time}
                                    value={p.time_limit.map(|s| s.to_string()).unwrap_or_default()} />
                            </label>
                        }
                        if running {
                            <span class="busy-note" id="protect-running" role="status">{ t(lang, "protect_running") }</span>
                            if let Some((done, total)) = p.progress {
                                <progress id="protect-progress" max={total.max(1).to_string()} value={done.to_string()} />
                            }
                            <button id="protect-stop" onclick={stop}>{ t(lang, "protect_stop") }</button>
                        } else {
                            <button id="protect-go" onclick={go}>{ t(lang, "protect_go") }</button>
                        }
                    </div>
                },
            } }
            { match done {
                Some((_, _, Ok(done))) => result(lang, link, done),
                Some((_, _, Err(why))) => html! {
                    <p class="file-error" id="protect-error" role="alert">{ why.in_lang(lang) }</p>
                },
                None => html! {},
            } }
        </details>
    }
}

/// What the pattern is, its audit, and the files to save.
fn result(lang: Lang, link: &Scope<App>, p: &crate::protect::Protected) -> Html {
    let save = |bytes: crate::protocol::Bytes, name: String, mime: &'static str| {
        link.callback(move |_| Msg::Save(name.clone(), mime, bytes.clone()))
    };
    html! {
        <div class="protected" id="protect-result">
            <p id="protect-summary">{ p.summary.in_lang(lang) }</p>
            <p id="protect-audit" class={if p.passed { "audit-passed" } else { "audit-failed" }}>
                { p.audit.in_lang(lang) }
            </p>
            if let Some(o) = &p.optimality { <p id="protect-optimal">{ o.in_lang(lang) }</p> }
            <button id="protect-csv" onclick={save(p.table.clone(), p.table_name.clone(), "text/csv")}>
                { t(lang, "protect_csv") }</button>
            <button id="protect-json" onclick={save(p.protection.clone(), "protection.json".to_owned(), "application/json")}>
                { t(lang, "protect_json") }</button>
        </div>
    }
}

fn method_key(m: Method) -> &'static str {
    match m {
        Method::Fast => "method_fast",
        Method::Optimal => "method_optimal",
    }
}

fn cost_key(c: Cost) -> &'static str {
    match c {
        Cost::Value => "cost_value",
        Cost::Unity => "cost_unity",
        Cost::Units => "cost_units",
        Cost::Log => "cost_log",
    }
}
