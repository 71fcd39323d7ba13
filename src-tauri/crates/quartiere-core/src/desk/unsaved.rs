//! What an operator was typing when the app locked (by hand, or after the idle limit): kept in the
//! desk's encrypted database, in its local table (never synced, not in the change record, not a
//! record of anyone), per operator and per form, offered back when they sign in again, and gone
//! once taken back or once the form is saved or emptied.

use crate::error::{Error, Result};
use crate::store::{Actor, Store};

/// The forms whose unsaved text is kept.
pub const FORMS: [&str; 1] = ["desk_contact"];

/// The most text kept for one form.
const MAX_BYTES: usize = 64 * 1024;

fn key(actor: &Actor, form: &str) -> Result<String> {
    if !FORMS.contains(&form) {
        return Err(Error::invalid("modulo", format!("«{form}» non è un modulo di cui si tiene la bozza")));
    }
    Ok(format!("unsaved.{}.{form}", actor.operator))
}

/// Keeps `body` (the form as the window holds it) for `actor`; an empty body forgets it.
pub fn keep(store: &mut Store, actor: &Actor, form: &str, body: &str) -> Result<()> {
    let key = key(actor, form)?;
    if body.len() > MAX_BYTES {
        return Err(Error::invalid("modulo", "la bozza è troppo lunga per essere tenuta"));
    }
    store.set_local_setting(&key, body)
}

/// The body kept for `actor`'s `form`, if any; taking it forgets it.
pub fn take(store: &mut Store, actor: &Actor, form: &str) -> Result<Option<String>> {
    let key = key(actor, form)?;
    let body = store.local_setting(&key)?.filter(|b| !b.is_empty());
    if body.is_some() {
        store.set_local_setting(&key, "")?;
    }
    Ok(body)
}
