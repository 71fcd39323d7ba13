//! Operator accounts: creating a desk with its first coordinator, signing in, adding operators
//! with a role, changing a passphrase, deactivating an operator.
//!
//! An operator is a synced row (`operator`: name, role), so every desk knows who wrote what and
//! obeys the same roles; signing in at a desk needs a slot in that desk's key file
//! ([`crate::vault`]), which the desk's coordinator gives.

use std::path::Path;

use crate::access::{self, Action, Role};
use crate::audit::{self, AuditKind};
use crate::backup;
use crate::clock::Clock;
use crate::crypto::KdfParams;
use crate::error::{Error, Result};
use crate::ids::{IdGen, OperatorId};
use crate::schema::Table;
use crate::store::{Actor, Store, DB_FILE_NAME};
use crate::text::fold;
use crate::vault;

/// An operator signed in at an open store.
pub struct SignedIn {
    pub store: Store,
    pub actor: Actor,
    pub role: Role,
    pub name: String,
    /// The day's backup could not be made (a backup folder on a stick that is not plugged in):
    /// the Italian sentence to show. Signing in does not fail for it.
    pub backup_warning: Option<String>,
}

/// One operator as the coordinator's screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OperatorView {
    pub id: OperatorId,
    pub name: String,
    pub role: Role,
    /// Has a passphrase at this desk (a slot in its key file).
    pub signs_in_here: bool,
}

/// What the sign-in screen needs before any key is open.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeskDoor {
    /// No key file yet: the first operator creates the desk.
    pub is_new: bool,
    /// Who may sign in here.
    pub names: Vec<String>,
}

pub fn door(dir: &Path) -> Result<DeskDoor> {
    if !vault::exists(dir) {
        return Ok(DeskDoor { is_new: true, names: Vec::new() });
    }
    Ok(DeskDoor { is_new: false, names: vault::names(dir)? })
}

fn clean_name(field: &str, name: &str, what: &str) -> Result<String> {
    let name = match crate::text::clean_line(name, 80) {
        Ok(name) => name,
        Err(crate::text::Unclean::TooLong { .. }) => {
            return Err(Error::invalid(field, format!("il nome {what} è troppo lungo (al massimo 80 caratteri)")))
        }
        Err(unclean) => return Err(Error::invalid(field, format!("il nome {what} {}", unclean.reason()))),
    };
    if name.is_empty() {
        return Err(Error::invalid(field, format!("il nome {what} è obbligatorio")));
    }
    Ok(name)
}

/// Creates a new desk in `dir`: a fresh database key, the first operator as coordinator, the
/// desk's name. Refuses a folder that already has a key file or a database.
pub fn create_desk(
    dir: &Path,
    desk_name: &str,
    operator_name: &str,
    passphrase: &str,
    params: KdfParams,
    clock: Box<dyn Clock>,
    mut ids: IdGen,
) -> Result<SignedIn> {
    let desk_name = clean_name("desk", desk_name, "della postazione")?;
    let name = clean_name("name", operator_name, "dell'operatore")?;
    vault::check_passphrase(passphrase)?;
    if dir.join(DB_FILE_NAME).exists() && !vault::exists(dir) {
        return Err(Error::Forbidden {
            message: format!(
                "nella cartella {} c'è un archivio senza il suo file delle chiavi ({}): non lo sovrascrivo",
                dir.display(),
                vault::KEYS_FILE_NAME
            ),
        });
    }
    let operator = OperatorId(ids.uuid_v7(clock.now().timestamp_millis() as u64));
    let key = vault::create(dir, operator, &name, passphrase, params)?;
    let opened = (|| -> Result<SignedIn> {
        let mut store = Store::open_dir(dir, key, clock, ids, &crate::HOOKS)?;
        let actor = Actor { desk: store.desk(), operator };
        let role = Role::Coordinator;
        store.write_as(&actor, role, |w| {
            w.insert(
                Table::Operator,
                operator.0,
                &[("name", name.clone().into()), ("role", role.code().to_string().into())],
            )?;
            w.insert(Table::Desk, actor.desk.0, &[("name", desk_name.into())])
        })?;
        audit::record(&mut store, &actor, AuditKind::Login, None, "postazione creata")?;
        Ok(SignedIn { store, actor, role, name: name.clone(), backup_warning: None })
    })();
    if opened.is_err() {
        // Leave the folder as it was: no key file for a desk that does not exist.
        let _ = std::fs::remove_file(vault::keys_path(dir));
        let _ = std::fs::remove_file(dir.join(DB_FILE_NAME));
    }
    opened
}

/// Opens the desk's database with an operator's name and passphrase.
pub fn sign_in(dir: &Path, name: &str, passphrase: &str, clock: Box<dyn Clock>, ids: IdGen) -> Result<SignedIn> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::invalid(
            "data-dir",
            format!("{} è un file, non una cartella: indica la cartella dei dati di Quartiere", dir.display()),
        ));
    }
    if !vault::exists(dir) {
        return Err(Error::Forbidden {
            message: format!("nella cartella {} non c'è ancora un archivio: crea la postazione", dir.display()),
        });
    }
    let (key, operator) = match vault::unlock(dir, name, passphrase) {
        Ok(opened) => opened,
        Err(Error::WrongCredentials) => {
            // Noted for the audit log; a folder that cannot take the note does not change the answer.
            let operator = vault::operator_named(dir, name).ok().flatten();
            let _ = audit::note_failed_unlock(dir, clock.now(), operator);
            return Err(Error::WrongCredentials);
        }
        Err(e) => return Err(e),
    };
    let mut store = Store::open_dir(dir, key, clock, ids, &crate::HOOKS)?;
    let Some(role) = access::role_of(store.conn(), operator)? else {
        return Err(Error::Forbidden {
            message: "questo operatore è stato disattivato: chiedi al coordinatore".into(),
        });
    };
    let name = crate::registry::operator_name(store.conn(), operator)?;
    let actor = Actor { desk: store.desk(), operator };
    audit::ingest_failed_unlocks(&mut store, &actor)?;
    audit::record(&mut store, &actor, AuditKind::Login, None, "")?;
    let backup_warning = backup::backup_if_due(&mut store, &actor)
        .err()
        .map(|e| format!("la copia di sicurezza di oggi non è riuscita: {e}"));
    Ok(SignedIn { store, actor, role, name, backup_warning })
}

/// Records that the operator leaves (the app is locked or closed).
pub fn sign_out(store: &mut Store, actor: &Actor, why: &str) -> Result<()> {
    audit::record(store, actor, AuditKind::Logout, None, why)
}

/// Gives an operator a role and a passphrase at this desk. An operator of the same name already
/// known (from another desk, through sync) is the same person: they get a way in here.
pub fn add_operator(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    role: Role,
    passphrase: &str,
    params: KdfParams,
) -> Result<OperatorId> {
    access::require(store.conn(), actor, Action::Administer)?;
    let name = clean_name("name", name, "dell'operatore")?;
    vault::check_passphrase(passphrase)?;
    let known = list(store)?.into_iter().find(|o| fold(&o.name) == fold(&name));
    if known.as_ref().is_some_and(|o| o.signs_in_here) {
        return Err(Error::invalid("name", "c'è già un operatore con questo nome in questa postazione"));
    }
    let id = known.as_ref().map(|o| o.id).unwrap_or_else(|| OperatorId(store.new_id()));
    let dir = store.dir().to_path_buf();
    vault::set_slot(&dir, store.key(), id, &name, passphrase, params)?;
    let written = store.write(actor, |w| match known {
        Some(_) => w.update(Table::Operator, id.0, &[("role", role.code().to_string().into())]).map(|_| ()),
        None => {
            w.insert(Table::Operator, id.0, &[("name", name.clone().into()), ("role", role.code().to_string().into())])
        }
    });
    if let Err(e) = written {
        let _ = vault::remove_slot(&dir, id);
        return Err(e);
    }
    Ok(id)
}

/// Every operator of the team, and whether each can sign in here.
pub fn operators(store: &Store, actor: &Actor) -> Result<Vec<OperatorView>> {
    access::require(store.conn(), actor, Action::Administer)?;
    list(store)
}

/// The team's active operators by name, with their role: who can be named on a case or an
/// activity. Any signed-in operator may read it (operators' names, not residents' data).
pub fn team(store: &Store) -> Result<Vec<(OperatorId, String, Role)>> {
    Ok(list(store)?.into_iter().map(|o| (o.id, o.name, o.role)).collect())
}

fn list(store: &Store) -> Result<Vec<OperatorView>> {
    let here = vault::names(store.dir())?.into_iter().map(|n| fold(&n)).collect::<Vec<_>>();
    let mut stmt = store.conn().prepare("SELECT id, name, role FROM operator WHERE deleted = 0")?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, OperatorId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, role) = row?;
        let Some(role) = Role::from_code(&role) else { continue };
        let signs_in_here = here.contains(&fold(&name));
        out.push(OperatorView { id, name, role, signs_in_here });
    }
    out.sort_by_key(|o| fold(&o.name));
    Ok(out)
}

fn coordinators(store: &Store) -> Result<i64> {
    Ok(store.conn().query_row(
        "SELECT count(*) FROM operator WHERE deleted = 0 AND role = ?1",
        [Role::Coordinator.code()],
        |r| r.get(0),
    )?)
}

/// Changes an operator's role. There is always at least one coordinator.
pub fn set_role(store: &mut Store, actor: &Actor, operator: OperatorId, role: Role) -> Result<()> {
    access::require(store.conn(), actor, Action::Administer)?;
    let current = access::role_of(store.conn(), operator)?
        .ok_or_else(|| Error::NotFound { what: "operatore", key: operator.to_string() })?;
    if current == Role::Coordinator && role != Role::Coordinator && coordinators(store)? <= 1 {
        return Err(Error::Forbidden { message: "deve restare almeno un coordinatore".into() });
    }
    store.write(actor, |w| {
        w.update(Table::Operator, operator.0, &[("role", role.code().to_string().into())]).map(|_| ())
    })
}

/// Deactivates an operator everywhere (a tombstone, synced) and removes their way in here.
pub fn deactivate(store: &mut Store, actor: &Actor, operator: OperatorId) -> Result<()> {
    access::require(store.conn(), actor, Action::Administer)?;
    if operator == actor.operator {
        return Err(Error::Forbidden {
            message: "non puoi disattivare te stesso: chiedilo a un altro coordinatore".into(),
        });
    }
    let role = access::role_of(store.conn(), operator)?
        .ok_or_else(|| Error::NotFound { what: "operatore", key: operator.to_string() })?;
    if role == Role::Coordinator && coordinators(store)? <= 1 {
        return Err(Error::Forbidden { message: "deve restare almeno un coordinatore".into() });
    }
    store.write(actor, |w| w.tombstone(Table::Operator, operator.0))?;
    vault::remove_slot(store.dir(), operator)
}

/// Renames this desk (shown to the other desks and in the change record).
pub fn rename_desk(store: &mut Store, actor: &Actor, name: &str) -> Result<()> {
    let name = clean_name("desk", name, "della postazione")?;
    let desk = store.desk();
    store.write(actor, |w| w.update(Table::Desk, desk.0, &[("name", name.into())]).map(|_| ()))
}

/// Changes an operator's own passphrase. Only the key file's slot changes; the database is not
/// re-encrypted.
pub fn change_passphrase(dir: &Path, name: &str, old: &str, new: &str, params: KdfParams) -> Result<()> {
    vault::change_passphrase(dir, name, old, new, params)
}
