//! The page's Rust in real headless Chromium (wasm-bindgen-test): the same report and protection bytes as natively, the codec
//! between page and worker, and exports that need browser APIs (the XLSX writer's clock).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cellguard_web::protocol::{ExportKind, Response};
use cellguard_web::session::Session;
use cellguard_web::ui::{decode, encode};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TABLE: &[u8] = include_bytes!("../../tests/corpus/good/table_semicolon.csv");
/// Written natively by `cellguard check table_semicolon.csv --format json` (a native test keeps it current).
const GOLDEN: &[u8] = include_bytes!("../../tests/golden/table_semicolon.essnet.json");

fn checked() -> Session {
    let mut s = Session::with_xlsx();
    let files = vec![cellguard_web::protocol::FileIn::new(
        "table_semicolon.csv",
        TABLE.to_vec(),
    )];
    let policy = cellguard_web::protocol::PolicyIn {
        policy: cellguard_engine::Policy::preset("essnet").unwrap(),
        file: None,
    };
    let out = s.check(1, files, &BTreeMap::new(), &policy, &|| 0.0, &mut |_| {});
    assert_eq!(out.files[0].error, None);
    s
}

/// An export's bytes: in the browser a `Blob` the worker made, read back here.
async fn bytes_of(x: &cellguard_web::protocol::Exported) -> Vec<u8> {
    x.bytes.to_js().await.expect("the export's bytes").to_vec()
}

#[wasm_bindgen_test]
async fn wasm_report_bytes_equal_native_report_bytes() {
    let json = bytes_of(&checked().export(1, &ExportKind::ReportJson).unwrap()).await;
    assert_eq!(
        String::from_utf8(json).unwrap(),
        String::from_utf8(GOLDEN.to_vec()).unwrap()
    );
}

/// A report larger than one piece of the export's `Blob` comes out whole and in order.
#[wasm_bindgen_test]
async fn an_export_of_many_pieces_is_the_bytes_written() {
    use cellguard_web::protocol::Sink;
    use std::io::Write;
    let text: Vec<u8> = (0..Sink::PIECE * 2 + 12_345)
        .map(|i| (i % 251) as u8)
        .collect();
    let mut sink = Sink::default();
    for chunk in text.chunks(100_003) {
        sink.write_all(chunk).unwrap();
    }
    let bytes = sink.finish("application/octet-stream");
    assert!(bytes.as_js().is_instance_of::<web_sys::Blob>());
    assert_eq!(bytes.len(), text.len());
    assert!(bytes.to_js().await.unwrap().to_vec() == text);
}

/// Secondary suppression in WebAssembly: the same pattern, intervals and protection file bytes as natively,
/// with `fast` and with `optimal` (its branch and bound and cuts) under the log cost.
#[wasm_bindgen_test]
fn wasm_protection_bytes_equal_native_protection_bytes() {
    use cellguard_engine::suppress::{Cost, Method, Options};
    const COUNTS: &[u8] = include_bytes!("../../tests/golden/protect_counts.csv");
    // Written natively by `cellguard protect protect_counts.csv --policy essnet [--method optimal --cost log]`
    // (a native test keeps them current).
    const FAST: &[u8] = include_bytes!("../../tests/golden/protect_counts.essnet.protection.json");
    const OPTIMAL: &[u8] =
        include_bytes!("../../tests/golden/protect_counts.essnet.optimal-log.protection.json");
    let optimal = Options {
        method: Method::Optimal,
        cost: Cost::Log,
        time_limit: None,
    };
    for (options, want) in [(Options::default(), FAST), (optimal, OPTIMAL)] {
        let file = cellguard_io::protect::protection_file(
            "protect_counts.csv",
            COUNTS,
            &cellguard_io::TableRoles::default(),
            &cellguard_engine::Policy::preset("essnet").unwrap(),
            &cellguard_engine::suppress::Suppression::default(),
            options,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(file.to_json()).unwrap(),
            String::from_utf8(want.to_vec()).unwrap()
        );
    }
}

#[wasm_bindgen_test]
fn explanations_cross_the_worker_boundary_intact() {
    let s = checked();
    let ex = s.explain(1, 0, 2).unwrap();
    assert!(!ex.findings.is_empty());
    let msg = Response::Explained(ex);
    let back: Response = decode(encode(&msg).unwrap()).unwrap();
    assert_eq!(back, msg);
    let x = s.export(1, &ExportKind::Csv(0)).unwrap();
    let back: Response = decode(encode(&Response::Exported(x.clone())).unwrap()).unwrap();
    assert_eq!(back, Response::Exported(x));
}

/// The protect module's answer crosses to the page intact: the pattern per cell, the words in each language, and
/// the files as `Blob`s the page saves (their bytes are the protection file `cellguard protect` writes).
#[wasm_bindgen_test]
async fn a_protected_table_crosses_the_worker_boundary_intact() {
    use cellguard_engine::suppress::{Cost, Method};
    use cellguard_web::protect::{ProtectIn, ProtectMsg, ProtectOut, protect};
    const COUNTS: &[u8] = include_bytes!("../../tests/golden/protect_counts.csv");
    const FAST: &[u8] = include_bytes!("../../tests/golden/protect_counts.essnet.protection.json");
    let input = ProtectIn {
        job: 7,
        file: cellguard_web::protocol::FileIn::new("protect_counts.csv", COUNTS.to_vec()),
        roles: cellguard_web::protocol::RolesIn::default(),
        policy: cellguard_engine::Policy::preset("essnet").unwrap(),
        policy_file: None,
        method: Method::Fast,
        cost: Cost::Value,
        time_limit: None,
        linked: Vec::new(),
    };
    let back: ProtectIn = decode(encode(&input).unwrap()).unwrap();
    assert_eq!(back.job, 7);
    let out = ProtectMsg::Done(Box::new(ProtectOut {
        job: back.job,
        result: protect(&back),
    }));
    let ProtectMsg::Done(back) = decode::<ProtectMsg>(encode(&out).unwrap()).unwrap() else {
        panic!("not an answer")
    };
    let p = back.result.unwrap();
    assert!(p.roles.contains(&2) && p.suppressed.iter().any(|s| s.secondary));
    assert!(p.protection.as_js().is_instance_of::<web_sys::Blob>());
    let bytes = p.protection.to_js().await.unwrap().to_vec();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        String::from_utf8(FAST.to_vec()).unwrap()
    );
}

#[wasm_bindgen_test]
async fn xlsx_export_works_in_the_browser() {
    let x = bytes_of(&checked().export(1, &ExportKind::Xlsx).unwrap()).await;
    assert!(x.starts_with(b"PK"));
    assert_eq!(
        x,
        bytes_of(&checked().export(1, &ExportKind::Xlsx).unwrap()).await,
        "deterministic"
    );
}
