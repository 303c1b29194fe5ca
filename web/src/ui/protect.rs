//! The *Protect* panel under a table: secondary suppression by the protect module (method, cost, start and stop),
//! the pattern in numbers and its audit, and the protected table and protection file to save.

use super::app::{App, Msg};
use crate::i18n::{self, t};
use crate::state::{Action, State};
use cellguard_engine::Lang;
use cellguard_engine::suppress::file::{AuditVerdict, SummaryFile};
use cellguard_engine::suppress::optimal::Stop;
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
    let stop = link.callback(|_| Msg::Act(Action::StopProtecting));
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
                        if running {
                            <span class="busy-note" id="protect-running" role="status">{ t(lang, "protect_running") }</span>
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
    let s = &p.summary;
    let save = |bytes: crate::protocol::Bytes, name: String, mime: &'static str| {
        link.callback(move |_| Msg::Save(name.clone(), mime, bytes.clone()))
    };
    let passed = s.audit == AuditVerdict::Passed;
    html! {
        <div class="protected" id="protect-result">
            <p id="protect-summary">{ summary(lang, s) }</p>
            <p id="protect-audit" class={if passed { "audit-passed" } else { "audit-failed" }}>
                { audit(lang, s) }
            </p>
            if let Some(line) = optimality(lang, s) { <p id="protect-optimal">{ line }</p> }
            <button id="protect-csv" onclick={save(p.table.clone(), p.table_name.clone(), "text/csv")}>
                { t(lang, "protect_csv") }</button>
            <button id="protect-json" onclick={save(p.protection.clone(), "protection.json".to_owned(), "application/json")}>
                { t(lang, "protect_json") }</button>
        </div>
    }
}

/// "3 primaries, 5 secondaries of 48 cells; suppressed 1234 (6.1 % of the table's figures)" in `lang`.
fn summary(lang: Lang, s: &SummaryFile) -> String {
    t(lang, "protect_summary")
        .replace("{primaries}", &s.primaries.to_string())
        .replace("{secondaries}", &s.secondaries.to_string())
        .replace("{cells}", &s.cells.to_string())
        .replace(
            "{value}",
            &i18n::number(lang, &cellguard_io::number(s.suppressed_value)),
        )
        .replace(
            "{percent}",
            &i18n::number(lang, &format!("{:.2}", s.suppressed_percent)),
        )
}

/// Whether every primary is protected, as the audit found it, with its work.
fn audit(lang: Lang, s: &SummaryFile) -> String {
    let verdict = match s.audit {
        AuditVerdict::Passed => t(lang, "audit_passed").to_owned(),
        AuditVerdict::Failed => t(lang, "audit_failed").replace("{short}", &s.short.to_string()),
    };
    let work = t(lang, "audit_work")
        .replace("{components}", &s.components.to_string())
        .replace("{programs}", &s.programs.to_string());
    format!("{verdict} ({work})")
}

/// The `optimal` method's cost, lower bound and why it stopped.
fn optimality(lang: Lang, s: &SummaryFile) -> Option<String> {
    let o = s.optimality.as_ref()?;
    let cost = s.cost_total?;
    let stop = match o.stop {
        Stop::Proven => "optimal_proven",
        Stop::Budget => "optimal_budget",
        Stop::TimeLimit => "optimal_time",
        Stop::Unprotected => "optimal_unprotected",
    };
    let shown = |x: f64| i18n::number(lang, &cellguard_io::number(x));
    let bound = o.lower_bound.map_or_else(
        || t(lang, "optimal_no_bound").to_owned(),
        |b| {
            let gap = if cost > 0.0 {
                100.0 * (cost - b) / cost
            } else {
                0.0
            };
            t(lang, "optimal_bound")
                .replace("{bound}", &shown(b))
                .replace("{gap}", &i18n::number(lang, &format!("{gap:.2}")))
        },
    );
    Some(format!(
        "{} {}, {bound}: {}",
        t(lang, "optimal_cost"),
        shown(cost),
        t(lang, stop)
    ))
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
