//! What the core's unit tests share: a new desk, signed in.

/// A new desk in `dir`, signed in as its coordinator (the cheapest key derivation the key file allows).
pub(crate) fn signed_in(dir: &std::path::Path) -> crate::accounts::SignedIn {
    crate::accounts::create_desk(
        dir,
        "Sportello",
        "Operatrice",
        "una passphrase lunga abbastanza",
        crate::crypto::KdfParams::MINIMUM,
        Box::new(crate::clock::SystemClock),
        crate::ids::IdGen::seeded(9),
    )
    .unwrap()
}
