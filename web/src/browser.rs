//! What both pages (the check and the sign-off) ask of the browser: the remembered language, downloads, the
//! bytes of a picked file, random bytes.

use cellguard_engine::Lang;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the chosen language is remembered (shared by both pages).
pub const LANG_KEY: &str = "cellguard.lang";

pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered language, else the browser's, else English.
pub fn initial_lang() -> Lang {
    if let Some(l) = storage()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .and_then(|c| Lang::from_code(&c))
    {
        return l;
    }
    let nav = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    match nav.get(..2) {
        Some("nl") => Lang::Nl,
        Some("fr") => Lang::Fr,
        _ => Lang::En,
    }
}

/// Remembers `lang` for both pages.
pub fn remember_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
}

/// Saves `bytes` as a download named `filename`: made in the page, never sent anywhere.
pub fn download(filename: &str, mime: &str, bytes: &[u8]) {
    save(filename, &js_sys::Uint8Array::from(bytes).into(), mime);
}

/// Saves an export as a download named `filename`: the worker's `Blob` as it is (no copy through the page's
/// memory), or an array of bytes.
pub fn download_bytes(filename: &str, mime: &str, bytes: &crate::protocol::Bytes) {
    save(filename, bytes.as_js(), mime);
}

/// Saves a `Blob`, or an array of bytes made into one of type `mime`.
fn save(filename: &str, bytes: &wasm_bindgen::JsValue, mime: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let blob = match bytes.dyn_ref::<web_sys::Blob>() {
        Some(blob) => blob.clone(),
        None => {
            let parts = js_sys::Array::of1(bytes);
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type(mime);
            let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
            else {
                return;
            };
            blob
        }
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(filename);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A picked file's bytes.
pub async fn file_bytes(f: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = JsFuture::from(f.array_buffer())
        .await
        .map_err(|e| format!("{}: cannot read the file ({e:?})", f.name()))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// `N` bytes from the browser's cryptographic random source (`crypto.getRandomValues`).
pub fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    web_sys::window()
        .ok_or("no window")?
        .crypto()
        .map_err(|_| "no crypto in this browser")?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "no random numbers in this browser")?;
    Ok(bytes)
}

/// The time now as the browser's clock says, RFC 3339 in UTC.
pub fn now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}
