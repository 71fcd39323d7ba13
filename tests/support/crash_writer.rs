//! A process that writes to a desk's database until it is killed, for the `kill -9` test
//! (`e2e/crash.rs`). It signs in (creating the desk on first use), then loops: one write of a person
//! with a desk contact and a note, and once it is committed, one line `committed <person id>` on
//! stdout. Whatever it printed was committed; the test kills it at random moments.

use std::io::Write;
use std::path::PathBuf;

use chrono::Local;
use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::codes::{Channel, Topic};
use quartiere_core::crypto::KdfParams;
use quartiere_core::desk::{self, DeskContactInput};
use quartiere_core::ids::IdGen;
use quartiere_core::registry::{self, PersonInput};

const OPERATOR: &str = "Operatrice del test";
const PASSPHRASE: &str = "parola d'accesso di prova";

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: quartiere-crash-writer DIR"));
    let signed = if quartiere_core::vault::exists(&dir) {
        accounts::sign_in(&dir, OPERATOR, PASSPHRASE, Box::new(SystemClock), IdGen::from_entropy())
    } else {
        accounts::create_desk(
            &dir,
            "Postazione del test",
            OPERATOR,
            PASSPHRASE,
            KdfParams::MINIMUM,
            Box::new(SystemClock),
            IdGen::from_entropy(),
        )
    }
    .expect("sign in");
    let (mut store, actor) = (signed.store, signed.actor);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    for n in 0u64.. {
        let person = store
            .write(&actor, |w| {
                let person = registry::create_person(
                    w,
                    &PersonInput {
                        surname: format!("Scritto{n}"),
                        name: "Prima del colpo".into(),
                        ..Default::default()
                    },
                )?;
                desk::add_contact(
                    w,
                    &DeskContactInput {
                        occurred_at: Local::now().naive_local(),
                        operator: actor.operator,
                        person: Some(person),
                        household: None,
                        channel: Channel::DiPersona,
                        topics: vec![Topic::Casa, Topic::Lavoro],
                        note: Some(format!("Nota numero {n}, abbastanza lunga da riempire qualche pagina. ").repeat(8)),
                        follow_up_on: None,
                        referrals: vec![],
                    },
                )?;
                Ok(person)
            })
            .expect("write");
        let _ = writeln!(out, "committed {person}");
        let _ = out.flush();
    }
}
