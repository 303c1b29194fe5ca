//! The left column: loading files, each file's roles (or its tabulation), and the policy.

use super::app::{App, Msg, Target};
use crate::i18n::t;
use crate::protocol::{FileOutcome, Mode, RolesIn, TabulateIn};
use crate::state::State;
use cellguard_engine::policy::Action as RuleAction;
use cellguard_engine::{Lang, Policy, Status};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use yew::html::Scope;
use yew::prelude::*;

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

pub fn loader(state: &State, link: &Scope<App>) -> Html {
    let lang = state.lang;
    let ondrop = link.callback(|e: DragEvent| {
        e.prevent_default();
        Msg::Read(
            files_of(e.data_transfer().and_then(|d| d.files())),
            Target::Tables,
        )
    });
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let onpick = link.callback(|e: Event| {
        let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
        let files = files_of(input.files());
        input.set_value("");
        Msg::Read(files, Target::Tables)
    });
    // The drop zone itself opens the file chooser with Enter or Space (the picker's input does so on its own).
    let onkeydown = Callback::from(|e: KeyboardEvent| {
        let on_zone = e
            .target_dyn_into::<web_sys::Element>()
            .is_some_and(|t| t.id() == "drop");
        if matches!(e.key().as_str(), "Enter" | " ") && on_zone {
            e.prevent_default();
            if let Some(input) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("pick"))
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                input.click();
            }
        }
    });
    html! {
        <div class="drop" id="drop" tabindex="0" role="group" aria-label={t(lang, "drop")} {ondrop} {ondragover} {onkeydown}>
            <p>{ t(lang, "drop") }</p>
            <label class="button">{ t(lang, "pick") }
                <input id="pick" type="file" multiple=true onchange={onpick.clone()} />
            </label>
            <label class="button">{ t(lang, "pick_folder") }
                <input id="pick-folder" type="file" webkitdirectory=true multiple=true onchange={onpick} />
            </label>
            <button id="demo" onclick={link.callback(|_| Msg::Demo)}>{ t(lang, "demo") }</button>
        </div>
    }
}

fn outcome_of<'a>(state: &'a State, name: &str) -> Option<&'a FileOutcome> {
    state
        .outcome
        .as_ref()?
        .files
        .iter()
        .find(|f| f.name == name)
}

/// One role's row: its name (label key `role`) and a `<select>` of columns named by it: "(guess)" or a column.
fn role_row(
    lang: Lang,
    role: &'static str,
    id: String,
    columns: &[String],
    current: Option<&str>,
    on: Callback<Option<String>>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        on.emit((!v.is_empty()).then_some(v));
    });
    html! {
        <div class="role"><span>{ t(lang, role) }</span>
            <select {id} {onchange} aria-label={t(lang, role)}>
                <option value="" selected={current.is_none()}>{ t(lang, "guess") }</option>
                { for columns.iter().map(|c| html! {
                    <option value={c.clone()} selected={current == Some(c.as_str())}>{ c }</option>
                }) }
            </select>
        </div>
    }
}

fn roles_panel(
    state: &State,
    link: &Scope<App>,
    name: &str,
    roles: &RolesIn,
    out: &FileOutcome,
) -> Html {
    let lang = state.lang;
    let Some(view) = &out.roles else {
        return html! {};
    };
    let set = |f: fn(&mut RolesIn, Option<String>)| {
        let name = name.to_owned();
        let roles = roles.clone();
        link.callback(move |v: Option<String>| {
            let mut r = roles.clone();
            f(&mut r, v);
            Msg::Act(crate::state::Action::SetMode(name.clone(), Mode::Table(r)))
        })
    };
    let dims_toggle = |col: String| {
        let name = name.to_owned();
        let roles = roles.clone();
        let current = view.dims.clone();
        link.callback(move |_: Event| {
            let mut dims = roles.dims.clone().unwrap_or_else(|| current.clone());
            if let Some(i) = dims.iter().position(|d| d == &col) {
                dims.remove(i);
            } else {
                dims.push(col.clone());
            }
            let mut r = roles.clone();
            r.dims = Some(dims);
            Msg::Act(crate::state::Action::SetMode(name.clone(), Mode::Table(r)))
        })
    };
    let id = |role: &str| format!("role-{role}-{name}");
    html! {
        <details class="roles">
            <summary>{ t(lang, "roles") }</summary>
            <div class="role"><span>{ t(lang, "role_dims") }</span>
                <span class="checks">
                { for view.columns.iter().map(|c| html! {
                    <label><input type="checkbox" checked={view.dims.contains(c)} onchange={dims_toggle(c.clone())} />{ c }</label>
                }) }
                </span>
            </div>
            { role_row(lang, "role_n", id("n"), &view.columns, view.n.as_deref(), set(|r, v| r.n = v)) }
            { role_row(lang, "role_value", id("value"), &view.columns, view.value.as_deref(), set(|r, v| r.value = v)) }
            <div class="role"><span>{ t(lang, "role_top") }</span><span>{ if view.top.is_empty() { t(lang, "none").to_owned() } else { view.top.join(", ") } }</span></div>
            { role_row(lang, "role_status", id("status"), &view.columns, view.status.as_deref(), set(|r, v| r.status = v)) }
            { role_row(lang, "role_dof", id("dof"), &view.columns, view.dof.as_deref(), set(|r, v| r.dof = v)) }
            { role_row(lang, "role_weight", id("weight"), &view.columns, view.weight.as_deref(), set(|r, v| r.weight = v)) }
            <div class="role"><span>{ t(lang, "role_total") }</span><code>{ &view.total }</code></div>
            <div class="role"><span>{ t(lang, "published") }</span><span>{ if view.published.is_empty() { t(lang, "none").to_owned() } else { view.published.join(", ") } }</span></div>
        </details>
    }
}

fn tabulate_panel(
    state: &State,
    link: &Scope<App>,
    name: &str,
    columns: &[String],
    draft: &TabulateIn,
) -> Html {
    // The other files, whose rows may be tabulated with this file's.
    let others: Vec<&String> = state
        .files
        .iter()
        .map(|f| &f.name)
        .filter(|n| *n != name)
        .collect();
    let lang = state.lang;
    let update = |f: fn(&mut TabulateIn, String)| {
        let name = name.to_owned();
        let draft = draft.clone();
        link.callback(move |e: Event| {
            let el = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            let v = if el.type_() == "checkbox" {
                format!("{}", el.checked())
            } else {
                el.value()
            };
            let mut d = draft.clone();
            f(&mut d, v);
            Msg::Draft(name.clone(), d)
        })
    };
    let toggle = |list: fn(&mut TabulateIn) -> &mut Vec<String>, col: String| {
        let name = name.to_owned();
        let draft = draft.clone();
        link.callback(move |_: Event| {
            let mut d = draft.clone();
            let l = list(&mut d);
            if let Some(i) = l.iter().position(|c| c == &col) {
                l.remove(i);
            } else {
                l.push(col.clone());
            }
            Msg::Draft(name.clone(), d)
        })
    };
    let go = {
        let name = name.to_owned();
        let draft = draft.clone();
        link.callback(move |_| {
            Msg::Act(crate::state::Action::SetMode(
                name.clone(),
                Mode::Microdata(draft.clone()),
            ))
        })
    };
    let opt = |v: &Option<String>, c: &String| v.as_deref() == Some(c.as_str());
    html! {
        <div class="tabulate">
            <div class="role"><span>{ t(lang, "tab_rows") }</span><span class="checks">
                { for columns.iter().map(|c| html! { <label><input type="checkbox" class="tab-row" checked={draft.rows.contains(c)} onchange={toggle(|d| &mut d.rows, c.clone())} />{ c }</label> }) }
            </span></div>
            <div class="role"><span>{ t(lang, "tab_cols") }</span><span class="checks">
                { for columns.iter().map(|c| html! { <label><input type="checkbox" class="tab-col" checked={draft.cols.contains(c)} onchange={toggle(|d| &mut d.cols, c.clone())} />{ c }</label> }) }
            </span></div>
            <div class="role"><span>{ t(lang, "tab_agg") }</span>
                <select class="tab-agg" aria-label={t(lang, "tab_agg")} onchange={update(|d, v| d.agg = v)}>
                    { for [("count", "agg_count"), ("sum", "agg_sum"), ("mean", "agg_mean")].iter().map(|(a, word)| html! { <option value={*a} selected={draft.agg == *a}>{ t(lang, word) }</option> }) }
                </select></div>
            <div class="role"><span>{ t(lang, "role_value") }</span>
                <select class="tab-value" aria-label={t(lang, "role_value")} onchange={update(|d, v| d.value = (!v.is_empty()).then_some(v))}>
                    <option value="" selected={draft.value.is_none()}>{ t(lang, "none") }</option>
                    { for columns.iter().map(|c| html! { <option value={c.clone()} selected={opt(&draft.value, c)}>{ c }</option> }) }
                </select></div>
            <div class="role"><span>{ t(lang, "tab_unit") }</span>
                <select class="tab-unit" aria-label={t(lang, "tab_unit")} onchange={update(|d, v| d.unit = (!v.is_empty()).then_some(v))}>
                    <option value="" selected={draft.unit.is_none()}>{ t(lang, "none") }</option>
                    { for columns.iter().map(|c| html! { <option value={c.clone()} selected={opt(&draft.unit, c)}>{ c }</option> }) }
                </select></div>
            if draft.unit.is_none() { <p class="note tab-rows-as-units">{ t(lang, "rows_as_units") }</p> }
            <label><input type="checkbox" class="tab-margins" checked={draft.margins} onchange={update(|d, v| d.margins = v == "true")} />{ t(lang, "tab_margins") }</label>
            if !others.is_empty() {
                <div class="role"><span>{ t(lang, "tab_with") }</span><span class="checks">
                    { for others.iter().map(|o| html! { <label><input type="checkbox" class="tab-with" checked={draft.with.contains(o)} onchange={toggle(|d| &mut d.with, (*o).clone())} />{ *o }</label> }) }
                </span></div>
            }
            <label class="role"><span>{ t(lang, "tab_keys") }</span>
                <input type="text" class="tab-keys" value={draft.keys.clone()} onchange={update(|d, v| d.keys = v)} /></label>
            <button class="tab-go" onclick={go}>{ t(lang, "tabulate") }</button>
        </div>
    }
}

pub fn files(state: &State, link: &Scope<App>, drafts: &BTreeMap<String, TabulateIn>) -> Html {
    let lang = state.lang;
    if state.files.is_empty() {
        return html! {};
    }
    html! {
        <div class="files">
            <h2>{ t(lang, "files") }
                <button class="small" id="clear" onclick={link.callback(|_| Msg::Act(crate::state::Action::ClearFiles))}>{ t(lang, "clear") }</button>
            </h2>
            { for state.files.iter().map(|f| {
                let out = outcome_of(state, &f.name);
                let name = f.name.clone();
                let remove = link.callback(move |_| Msg::Act(crate::state::Action::RemoveFile(name.clone())));
                // A file without unit counts whose columns look like microdata is offered for tabulation, not shown
                // as a table that failed.
                let offered = matches!(f.mode, Mode::Table(_)) && out.is_some_and(|o| o.looks_like_microdata);
                let error = out.and_then(|o| o.error_in(lang)).map(str::to_owned).filter(|_| !offered);
                let class = if error.is_some() { "file error" } else { "file" };
                // Units are the rows unless a column names them (`id`, `person_id`, `volgnummer` …).
                let unit = out.and_then(|o| cellguard_io::guess_unit_column(&o.columns)).cloned();
                let default_draft = TabulateIn { agg: "count".into(), margins: true, unit, ..TabulateIn::default() };
                let draft = drafts.get(&f.name).cloned().or_else(|| match &f.mode { Mode::Microdata(d) => Some(d.clone()), Mode::Table(_) => None }).unwrap_or(default_draft);
                // The columns the form offers: the file's, its folders' keys, and the keys typed for it.
                let typed = draft.keys.split('/').filter_map(|k| k.split_once('=')).map(|(k, _)| k.trim().to_owned());
                let columns: Vec<String> = out.map(|o| o.columns.clone()).unwrap_or_default().into_iter()
                    .chain(typed).fold(Vec::new(), |mut all, c| { if !c.is_empty() && !all.contains(&c) { all.push(c) } all });
                let as_table = {
                    let name = f.name.clone();
                    link.callback(move |_| Msg::Act(crate::state::Action::SetMode(name.clone(), Mode::Table(RolesIn::default()))))
                };
                html! {
                    <div {class} data-file={f.name.clone()}>
                        <div class="file-head"><b>{ &f.name }</b>
                            <span class="bytes">{ format!("{} B", f.bytes.len()) }</span>
                            <button class="small" onclick={remove}>{ t(lang, "remove") }</button>
                        </div>
                        if let Some(e) = &error {
                            <p class="file-error" role="alert"><b>{ t(lang, "error") }{": "}</b>{ e }</p>
                        }
                        { match (&f.mode, out) {
                            (Mode::Table(r), Some(o)) if o.error.is_none() => roles_panel(state, link, &f.name, r, o),
                            (Mode::Table(_), Some(o)) if o.looks_like_microdata => html! {
                                <details class="micro" open=true><summary>{ t(lang, "microdata") }</summary>
                                    <p class="note">{ t(lang, "microdata_offer") }</p>
                                    { tabulate_panel(state, link, &f.name, &columns, &draft) }
                                </details>
                            },
                            (Mode::Microdata(_), Some(_)) => html! {
                                <details class="micro"><summary>{ t(lang, "tabulate") }</summary>
                                    { tabulate_panel(state, link, &f.name, &columns, &draft) }
                                    <button class="small" onclick={as_table}>{ t(lang, "as_table") }</button>
                                </details>
                            },
                            _ => html! {},
                        } }
                    </div>
                }
            }) }
        </div>
    }
}

/// The policy with one parameter changed, as TOML for [`crate::state::Action::EditPolicy`]: named as edited, and
/// described by where it came from rather than by the description of what it was.
fn edited(p: &Policy, f: impl FnOnce(&mut Policy)) -> String {
    let mut q = p.clone();
    f(&mut q);
    if q != *p && !q.name.ends_with(crate::i18n::EDITED) {
        q.description = format!("{} with parameters changed in the page", q.name);
        q.name.push_str(crate::i18n::EDITED);
    }
    q.to_toml()
}

fn number_field(id: &str, label: &str, value: Option<f64>, on: Callback<Option<f64>>) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlInputElement>()
            .value();
        on.emit(
            v.trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite()),
        );
    });
    html! {
        <label class="field"><span>{ label }</span>
            <input id={id.to_owned()} type="number" step="any" value={value.map(|v| v.to_string()).unwrap_or_default()} {onchange} />
        </label>
    }
}

pub fn policy(state: &State, link: &Scope<App>) -> Html {
    let lang = state.lang;
    let p = &state.policy;
    let edit = |f: fn(&mut Policy, Option<f64>)| {
        let p = p.clone();
        link.callback(move |v: Option<f64>| {
            Msg::Act(crate::state::Action::EditPolicy(edited(&p, |q| f(q, v))))
        })
    };
    let on_preset = link.callback(|e: Event| {
        Msg::Act(crate::state::Action::Preset(
            e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value(),
        ))
    });
    let on_file = link.callback(|e: Event| {
        let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
        let files = files_of(input.files());
        input.set_value("");
        Msg::Read(files, Target::Policy)
    });
    let on_zero = {
        let p = p.clone();
        link.callback(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            let action = match v.as_str() {
                "unsafe" => RuleAction::Unsafe,
                "safe" => RuleAction::Safe,
                _ => RuleAction::Review,
            };
            Msg::Act(crate::state::Action::EditPolicy(edited(&p, |q| {
                q.zero.sampling = action
            })))
        })
    };
    let toml_ref = NodeRef::default();
    let on_apply = {
        let r = toml_ref.clone();
        link.callback(move |_| {
            let text = r
                .cast::<web_sys::HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            Msg::Act(crate::state::Action::EditPolicy(text))
        })
    };
    let preset = cellguard_engine::policy::PRESETS
        .iter()
        .find(|n| Policy::preset(n).ok().as_ref() == Some(p));
    let dom = p.dominance.first();
    let zero = match p.zero.sampling {
        RuleAction::Unsafe => "unsafe",
        RuleAction::Review => "review",
        RuleAction::Safe => "safe",
    };
    html! {
        <div class="policy">
            <h2>{ t(lang, "policy") }</h2>
            <label class="field"><span>{ t(lang, "preset") }</span>
                <select id="preset" onchange={on_preset}>
                    if preset.is_none() { <option value="" selected=true>{ &p.name }</option> }
                    { for cellguard_engine::policy::PRESETS.iter().map(|n| html! { <option value={*n} selected={preset == Some(n)}>{ *n }</option> }) }
                </select>
            </label>
            <label class="field"><span>{ t(lang, "policy_file") }</span>
                <input id="policy-file" type="file" accept=".toml,text/plain" onchange={on_file} />
            </label>
            { number_field("p-min-units", t(lang, "min_units"), p.threshold.as_ref().map(|t| t.min_units as f64),
                edit(|q, v| q.threshold = v.filter(|v| *v >= 1.0).map(|v| cellguard_engine::policy::Threshold { min_units: v as u64 }))) }
            { number_field("p-dom-n", t(lang, "dominance_n"), dom.map(|d| f64::from(d.n)),
                edit(|q, v| match (v, q.dominance.first_mut()) {
                    (Some(v), Some(d)) => d.n = v as u32,
                    (Some(v), None) => q.dominance.push(cellguard_engine::policy::Dominance { n: v as u32, k: 50.0, inclusive: false }),
                    (None, _) => q.dominance.clear(),
                })) }
            { number_field("p-dom-k", t(lang, "dominance_k"), dom.map(|d| d.k),
                edit(|q, v| if let (Some(v), Some(d)) = (v, q.dominance.first_mut()) { d.k = v })) }
            { number_field("p-p", t(lang, "p_percent"), p.p_percent.as_ref().map(|x| x.p),
                edit(|q, v| q.p_percent = v.map(|p| cellguard_engine::policy::PPercent { p }))) }
            { number_field("p-class", t(lang, "class_share"), p.class_disclosure.as_ref().map(|c| c.max_share),
                edit(|q, v| {
                    // A new share keeps the rule's other settings (strict or inclusive, single category).
                    let (inclusive, single_category) = q.class_disclosure.as_ref().map_or((false, true), |c| (c.inclusive, c.single_category));
                    q.class_disclosure = v.map(|max_share| cellguard_engine::policy::ClassDisclosure { max_share, inclusive, single_category });
                })) }
            { number_field("p-dof", t(lang, "dof_min"), p.dof.as_ref().map(|d| d.min),
                edit(|q, v| q.dof = v.map(|min| cellguard_engine::policy::Dof { min }))) }
            <label class="field"><span>{ t(lang, "zero_action") }</span>
                <select id="p-zero" onchange={on_zero}>
                    { for [Status::Unsafe, Status::Review, Status::Safe].iter().map(|a| html! { <option value={a.as_str()} selected={zero == a.as_str()}>{ crate::i18n::status(lang, *a) }</option> }) }
                </select>
            </label>
            <details class="toml" id="policy-toml">
                <summary>{ t(lang, "policy_in_force") }{": "}<b>{ crate::i18n::policy_name(lang, &p.name) }</b>
                    if let Some(f) = &state.policy_file { { format!(" — {}", f.name) } }
                </summary>
                <textarea ref={toml_ref} rows="14" spellcheck="false" aria-label={t(lang, "policy_in_force")}
                    value={state.policy_draft.as_ref().map_or_else(|| p.to_toml(), |(text, _)| text.clone())} />
                if let Some((_, error)) = &state.policy_draft {
                    <p class="policy-error" id="policy-error" role="alert"><b>{ t(lang, "error") }{": "}</b>{ error }</p>
                }
                <button onclick={on_apply}>{ t(lang, "apply") }</button>
            </details>
        </div>
    }
}
