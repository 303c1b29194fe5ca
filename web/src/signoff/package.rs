//! The researcher's side of the sign-off page: a package drafted output by output (kind, description, comments,
//! exception requests), each table checked under the package's policy as it is added, saved as the zip a
//! reviewer opens.

use super::{Msg, Signoff};
use crate::signoff_words::w;
use cellguard_engine::{Lang, Policy, Status};
use cellguard_signoff::package::Described;
use cellguard_signoff::{CheckSummary, OutputKind, Package, Request, RequestKind};
use yew::prelude::*;

/// A package being made.
#[derive(Debug, Default)]
pub struct Draft {
    pub project: String,
    pub researcher: String,
    /// A preset's name.
    pub policy: String,
    pub outputs: Vec<DraftOutput>,
}

#[derive(Debug)]
pub struct DraftOutput {
    pub name: String,
    pub bytes: Vec<u8>,
    pub kind: OutputKind,
    pub description: String,
    pub comments: String,
    pub requests: Vec<Request>,
    /// A table's check under the package's policy, or why it could not be checked.
    pub check: Option<Result<CheckSummary, String>>,
}

/// A change to the draft.
#[derive(Debug, Clone)]
pub enum Edit {
    Project(String),
    Researcher(String),
    Policy(String),
    Kind(usize, OutputKind),
    Description(usize, String),
    Comments(usize, String),
    AddRequest(usize),
    RequestKind(usize, usize, RequestKind),
    Justification(usize, usize, String),
    RemoveRequest(usize, usize),
    Remove(usize),
}

impl Draft {
    pub fn new() -> Draft {
        Draft {
            policy: "essnet".into(),
            ..Draft::default()
        }
    }

    fn policy(&self) -> Result<Policy, String> {
        Policy::preset(&self.policy).map_err(|e| e.to_string())
    }

    /// Adds an output (a file of the same name is replaced) and checks it if it is a table.
    pub fn add(&mut self, name: String, bytes: Vec<u8>) {
        self.outputs.retain(|o| o.name != name);
        let mut output = DraftOutput {
            kind: OutputKind::guess(&name),
            name,
            bytes,
            description: String::new(),
            comments: String::new(),
            requests: Vec::new(),
            check: None,
        };
        output.check = self.check(&output);
        self.outputs.push(output);
    }

    /// A table's check under the draft's policy (the engine's, as `cellguard package check` runs it).
    fn check(&self, o: &DraftOutput) -> Option<Result<CheckSummary, String>> {
        if o.kind != OutputKind::Table {
            return None;
        }
        let policy = match self.policy() {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        let checked = cellguard_io::check_file(
            &o.name,
            &o.bytes,
            &cellguard_io::TableRoles::default(),
            &policy,
        );
        Some(checked.map_err(|e| e.to_string()).map(|c| {
            let s = &c.report.summary;
            CheckSummary {
                policy_sha256: cellguard_signoff::digest::sha256(policy.to_toml().as_bytes()),
                tool: format!("cellguard {}", env!("CARGO_PKG_VERSION")),
                cells: s.cells,
                safe: s.count(Status::Safe),
                review: s.count(Status::Review),
                unsafe_cells: s.count(Status::Unsafe),
            }
        }))
    }

    fn recheck(&mut self) {
        let checks: Vec<_> = self.outputs.iter().map(|o| self.check(o)).collect();
        for (o, c) in self.outputs.iter_mut().zip(checks) {
            o.check = c;
        }
    }

    pub fn edit(&mut self, edit: Edit) {
        match edit {
            Edit::Project(s) => self.project = s,
            Edit::Researcher(s) => self.researcher = s,
            Edit::Policy(s) => {
                self.policy = s;
                self.recheck();
            }
            Edit::Kind(i, k) => {
                if let Some(o) = self.outputs.get_mut(i) {
                    o.kind = k;
                }
                self.recheck();
            }
            Edit::Description(i, s) => self.output(i, |o| o.description = s),
            Edit::Comments(i, s) => self.output(i, |o| o.comments = s),
            Edit::AddRequest(i) => self.output(i, |o| {
                o.requests.push(Request {
                    kind: RequestKind::Other,
                    justification: String::new(),
                });
            }),
            Edit::RequestKind(i, j, k) => self.request(i, j, |r| r.kind = k),
            Edit::Justification(i, j, s) => self.request(i, j, |r| r.justification = s),
            Edit::RemoveRequest(i, j) => self.output(i, |o| {
                if j < o.requests.len() {
                    o.requests.remove(j);
                }
            }),
            Edit::Remove(i) => {
                if i < self.outputs.len() {
                    self.outputs.remove(i);
                }
            }
        }
    }

    fn output(&mut self, i: usize, f: impl FnOnce(&mut DraftOutput)) {
        if let Some(o) = self.outputs.get_mut(i) {
            f(o);
        }
    }

    fn request(&mut self, i: usize, j: usize, f: impl FnOnce(&mut Request)) {
        self.output(i, |o| {
            if let Some(r) = o.requests.get_mut(j) {
                f(r);
            }
        });
    }

    /// The package, made at `created`: the policy whole, each output with its check.
    pub fn build(&self, created: &str) -> Result<Package, String> {
        let policy = self.policy()?;
        let mut p = Package::new(
            &self.project,
            &self.researcher,
            created,
            &policy.name,
            &policy.to_toml(),
        )
        .map_err(|e| e.to_string())?;
        for o in &self.outputs {
            p.add(
                &o.name,
                o.bytes.clone(),
                Described {
                    kind: o.kind,
                    description: o.description.clone(),
                    comments: o.comments.clone(),
                    requests: o.requests.clone(),
                },
            )
            .map_err(|e| e.to_string())?;
            if let Some(Ok(check)) = &o.check {
                p.set_check(&o.name, check.clone())
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(p)
    }
}

/// The check in words: "46 cells: 33 safe, 7 to review, 6 unsafe".
pub fn check_words(lang: Lang, c: &CheckSummary) -> String {
    format!(
        "{} {}: {} {}, {} {}, {} {}",
        c.cells,
        w(lang, "cells"),
        c.safe,
        w(lang, "safe"),
        c.review,
        w(lang, "review"),
        c.unsafe_cells,
        w(lang, "unsafe")
    )
}

/// The package tab.
pub fn view(s: &Signoff, ctx: &Context<Signoff>) -> Html {
    let lang = s.lang;
    let link = ctx.link();
    let d = &s.draft;
    let edit = |f: fn(String) -> Edit| {
        link.callback(move |e: InputEvent| {
            Msg::Draft(f(e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value()))
        })
    };
    let on_policy = link.callback(|e: Event| {
        Msg::Draft(Edit::Policy(
            e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value(),
        ))
    });
    let outputs = d
        .outputs
        .iter()
        .enumerate()
        .map(|(i, o)| output_view(lang, link, i, o));
    html! {
        <section class="draft">
            <p class="field"><label for="project">{ w(lang, "project") }</label>{" "}
                <input id="project" type="text" value={d.project.clone()} oninput={edit(Edit::Project)} /></p>
            <p class="field"><label for="researcher">{ w(lang, "researcher") }</label>{" "}
                <input id="researcher" type="text" value={d.researcher.clone()} oninput={edit(Edit::Researcher)} /></p>
            <p class="field"><label for="package-policy">{ w(lang, "policy") }</label>{" "}
                <select id="package-policy" onchange={on_policy}>
                    { for cellguard_engine::policy::PRESETS.iter().map(|p| html! {
                        <option value={*p} selected={d.policy == *p}>{ *p }</option>
                    }) }
                </select></p>
            { super::picker(ctx, "add-outputs", w(lang, "add_outputs"), super::Pick::Outputs, true) }
            { for outputs }
            <button id="save-package" type="button" disabled={d.outputs.is_empty()}
                onclick={link.callback(|_| Msg::SavePackage)}>{ w(lang, "save_package") }</button>
        </section>
    }
}

fn output_view(lang: Lang, link: &yew::html::Scope<Signoff>, i: usize, o: &DraftOutput) -> Html {
    let on_kind = link.callback(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        Msg::Draft(Edit::Kind(
            i,
            OutputKind::from_code(&v).unwrap_or(OutputKind::Other),
        ))
    });
    let on_description = link.callback(move |e: InputEvent| {
        Msg::Draft(Edit::Description(
            i,
            e.target_unchecked_into::<web_sys::HtmlInputElement>()
                .value(),
        ))
    });
    let on_comments = link.callback(move |e: InputEvent| {
        Msg::Draft(Edit::Comments(
            i,
            e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value(),
        ))
    });
    let check = match &o.check {
        None => html! { <p class="muted">{ w(lang, "no_rule") }</p> },
        Some(Ok(c)) => html! { <p class="output-check">{ check_words(lang, c) }</p> },
        Some(Err(e)) => html! { <p class="file-error">{ w(lang, "cannot_check") }{": "}{ e }</p> },
    };
    let requests = o.requests.iter().enumerate().map(|(j, r)| {
        let on_kind = link.callback(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            Msg::Draft(Edit::RequestKind(i, j, RequestKind::from_code(&v).unwrap_or(RequestKind::Other)))
        });
        let on_text = link.callback(move |e: InputEvent| {
            Msg::Draft(Edit::Justification(i, j, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
        });
        html! {
            <li class="request">
                <select aria-label={format!("{} {}", w(lang, "request"), o.name)} onchange={on_kind}>
                    { for RequestKind::ALL.iter().map(|k| html! {
                        <option value={k.code()} selected={r.kind == *k}>{ w(lang, k.code()) }</option>
                    }) }
                </select>{" "}
                <input type="text" class="justification" aria-label={format!("{} {}", w(lang, "justification"), o.name)}
                    value={r.justification.clone()} oninput={on_text} />{" "}
                <button type="button" onclick={link.callback(move |_| Msg::Draft(Edit::RemoveRequest(i, j)))}>{ w(lang, "remove") }</button>
            </li>
        }
    });
    html! {
        <fieldset class="draft-output" data-output={o.name.clone()}>
            <legend>{ &o.name }</legend>
            <select class="output-kind" aria-label={format!("{} {}", w(lang, "kind"), o.name)} onchange={on_kind}>
                { for OutputKind::ALL.iter().map(|k| html! {
                    <option value={k.code()} selected={o.kind == *k}>{ w(lang, k.code()) }</option>
                }) }
            </select>
            { check }
            <input type="text" class="description" aria-label={format!("{} {}", w(lang, "description"), o.name)}
                placeholder={w(lang, "description")} value={o.description.clone()} oninput={on_description} />
            <textarea class="comments" aria-label={format!("{} {}", w(lang, "comments_for_reviewer"), o.name)}
                placeholder={w(lang, "comments_for_reviewer")} value={o.comments.clone()} oninput={on_comments} />
            <ul class="requests">{ for requests }</ul>
            <button type="button" class="add-request" onclick={link.callback(move |_| Msg::Draft(Edit::AddRequest(i)))}>{ w(lang, "add_request") }</button>{" "}
            <button type="button" onclick={link.callback(move |_| Msg::Draft(Edit::Remove(i)))}>{ w(lang, "remove") }</button>
        </fieldset>
    }
}
