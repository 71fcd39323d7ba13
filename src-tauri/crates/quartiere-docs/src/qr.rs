//! A document's id as a QR code, drawn as SVG for the template (`/qr.svg`).

use qrcodegen::{QrCode, QrCodeEcc};

/// The QR code of `text` as an SVG of black squares on white, with the quiet zone the standard asks.
pub fn svg(text: &str) -> String {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).expect("a document id fits a QR code");
    let border = 4;
    let size = code.size() + 2 * border;
    let mut path = String::new();
    for y in 0..code.size() {
        for x in 0..code.size() {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}
