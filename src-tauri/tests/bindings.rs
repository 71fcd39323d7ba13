//! The TypeScript types the UI compiles against must be the ones the Rust types generate.

use std::path::PathBuf;

#[test]
fn the_ui_bindings_match_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(quartiere_app::bindings::PATH);
    let generated = quartiere_app::bindings::typescript();
    if std::env::var_os("QUARTIERE_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the Rust types: run `cargo xtask bindings` and commit the result",
        path.display()
    );
}
