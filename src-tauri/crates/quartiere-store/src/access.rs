//! Roles and what each may do. Checked in the core, so the desktop app, the CLI and sync obey the
//! same table: every write is checked per table in the write path, every read of personal data at
//! the read function's door.
//!
//! Roles are policy among people who share a desk's key: they stop an operator doing through
//! Quartiere what their job does not need. They are not cryptography: whoever holds the database
//! key could open it with other tools, which is why the key is only ever unwrapped by a passphrase.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::ids::{DeskId, OperatorId};
use crate::schema::Table;
use crate::store::Actor;

/// An operator's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    /// Operatore di sportello: the listening desk and the registry.
    #[serde(rename = "sportello")]
    DeskOperator,
    /// Tutor di quartiere: inclusion paths, the desk and the registry.
    #[serde(rename = "tutor")]
    Tutor,
    /// Operatore AFOL: training and job paths; reads the registry.
    #[serde(rename = "afol")]
    Afol,
    /// Referente morosità: arrears and repayment plans; reads the registry.
    #[serde(rename = "morosita")]
    ArrearsOfficer,
    /// Coordinatore: everything, including operators, keys and the audit.
    #[serde(rename = "coordinatore")]
    Coordinator,
    /// Comune (sola lettura): aggregate figures only, never a person.
    #[serde(rename = "comune")]
    ComuneViewer,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::DeskOperator, Role::Tutor, Role::Afol, Role::ArrearsOfficer, Role::Coordinator, Role::ComuneViewer];

    /// The code stored in `operator.role`.
    pub fn code(self) -> &'static str {
        match self {
            Role::DeskOperator => "sportello",
            Role::Tutor => "tutor",
            Role::Afol => "afol",
            Role::ArrearsOfficer => "morosita",
            Role::Coordinator => "coordinatore",
            Role::ComuneViewer => "comune",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::DeskOperator => "Operatore di sportello",
            Role::Tutor => "Tutor di quartiere",
            Role::Afol => "Operatore AFOL",
            Role::ArrearsOfficer => "Referente morosità",
            Role::Coordinator => "Coordinatore",
            Role::ComuneViewer => "Comune (solo dati aggregati)",
        }
    }
}

/// What an operator asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Counts and indicators, with no person in them.
    ReadAggregates,
    /// Households, people, dwellings, partners; search.
    ReadRegistry,
    EditRegistry,
    /// Desk contacts, follow-ups, referrals, notes.
    ReadDesk,
    RecordDesk,
    /// Importing the lists the Comune sends.
    Import,
    /// Exchanging bundles with the other desks.
    Sync,
    /// Enrolling the desk, rotating the team key.
    ManageSync,
    /// Operators, roles, the desk's name.
    Administer,
    /// Browsing, checking and exporting the audit log (for the DPO).
    ReadAudit,
    /// Making, listing and restoring backups (the daily backup needs no permission).
    Backup,
    /// Answering people's requests: exporting everything about a person, erasing a person.
    Rights,
    /// Activities, invitations, attendance sheets and who came.
    ReadActivities,
    /// Creating activities, inviting, printing sheets, recording attendance.
    RecordActivities,
    /// Courses and job-search paths, who is enrolled and waiting, the ESF participant records.
    ReadTraining,
    /// Creating courses, enrolling, moving the waiting list, writing ESF records and outcomes.
    RecordTraining,
    /// Prese in carico: cases, their plans, team and referrals.
    ReadCases,
    /// Opening and closing cases, writing goals and steps, sending referrals.
    RecordCases,
    /// Households' accounts, no-fault assessments, repayment plans, payments and credits.
    ReadArrears,
    /// Importing the ente gestore's statement, assessing, signing plans, recording payments.
    RecordArrears,
    /// The project's targets and its plan of actions (owners, dates, budget).
    ManageProject,
    /// Making the monthly bundle for the Comune (pseudonymised, encrypted to the Comune's keys).
    ExportBundle,
}

impl Action {
    pub const ALL: [Action; 22] = [
        Action::ReadAggregates,
        Action::ReadRegistry,
        Action::EditRegistry,
        Action::ReadDesk,
        Action::RecordDesk,
        Action::Import,
        Action::Sync,
        Action::ManageSync,
        Action::Administer,
        Action::ReadAudit,
        Action::Backup,
        Action::Rights,
        Action::ReadActivities,
        Action::RecordActivities,
        Action::ReadTraining,
        Action::RecordTraining,
        Action::ReadCases,
        Action::RecordCases,
        Action::ReadArrears,
        Action::RecordArrears,
        Action::ManageProject,
        Action::ExportBundle,
    ];

    /// The action as the end of "il ruolo … non permette di …".
    pub fn describe(self) -> &'static str {
        match self {
            Action::ReadAggregates => "vedere i dati aggregati",
            Action::ReadRegistry => "consultare l'anagrafica di nuclei e persone",
            Action::EditRegistry => "modificare l'anagrafica di nuclei e persone",
            Action::ReadDesk => "consultare i contatti e le note dello sportello",
            Action::RecordDesk => "registrare contatti e note allo sportello",
            Action::Import => "importare gli elenchi del Comune",
            Action::Sync => "sincronizzare con le altre postazioni",
            Action::ManageSync => "registrare la postazione o cambiare la chiave del gruppo",
            Action::Administer => "gestire operatori, ruoli e postazione",
            Action::ReadAudit => "consultare o esportare il registro degli accessi",
            Action::Backup => "fare o ripristinare le copie di sicurezza",
            Action::Rights => "rispondere alle richieste di accesso e di cancellazione dei dati",
            Action::ReadActivities => "consultare attività, inviti e presenze",
            Action::RecordActivities => "creare attività, stampare fogli presenze e registrare le presenze",
            Action::ReadTraining => "consultare corsi, percorsi di ricerca lavoro e schede FSE",
            Action::RecordTraining => "iscrivere ai corsi, gestire la lista d'attesa e le schede FSE",
            Action::ReadCases => "consultare le prese in carico",
            Action::RecordCases => "aprire prese in carico, scriverne il piano e gli invii",
            Action::ReadArrears => "consultare la morosità e i piani di rientro",
            Action::RecordArrears => "registrare estratti conto, piani di rientro e pagamenti",
            Action::ManageProject => "modificare gli obiettivi e il piano di progetto",
            Action::ExportBundle => "esportare il pacchetto mensile per il Comune",
        }
    }

    /// The action a write to `table` needs; `None` for the audit log, which only the core writes,
    /// about every operator whatever the role.
    pub fn writing(table: Table) -> Option<Action> {
        match table {
            Table::Desk | Table::Operator => Some(Action::Administer),
            Table::Dwelling
            | Table::Household
            | Table::Person
            | Table::Membership
            | Table::Partner
            | Table::PartnerContact
            | Table::Consent
            | Table::IdentityDecision => Some(Action::EditRegistry),
            Table::PrivacyRequest => Some(Action::Rights),
            Table::DeskContact | Table::DeskContactTopic | Table::Note => Some(Action::RecordDesk),
            // A desk contact's referral and a case's are one table; both roles that write them may.
            Table::Referral => Some(Action::RecordDesk),
            Table::CaseFile | Table::CaseOperator | Table::CaseGoal => Some(Action::RecordCases),
            Table::Activity
            | Table::ActivityOperator
            | Table::ActivityPartner
            | Table::Invitation
            | Table::AttendanceSheet
            | Table::Attendance
            | Table::MinuteItem
            | Table::SheetScan => Some(Action::RecordActivities),
            Table::Course | Table::Enrolment | Table::EsfParticipant | Table::Placement | Table::CommunityHours => {
                Some(Action::RecordTraining)
            }
            Table::AccountPeriod
            | Table::ArrearsAssessment
            | Table::RepaymentPlan
            | Table::PlanTerms
            | Table::PlanPayment
            | Table::SolidarityCredit => Some(Action::RecordArrears),
            Table::IndicatorTarget | Table::PlanAction | Table::PlanActionLink => Some(Action::ManageProject),
            // The pseudonym key is made by the first bundle exported.
            Table::LabSecret => Some(Action::ExportBundle),
            Table::AuditEvent => None,
        }
    }
}

/// The permission table. One place, tested as a whole (`every_role_is_refused_what_it_must_not_do`).
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ReadAggregates => true,
        ReadRegistry | Sync => role != ComuneViewer,
        EditRegistry | ReadDesk | RecordDesk => matches!(role, DeskOperator | Tutor | Coordinator),
        // The AFOL operator runs training sessions: their sheets and attendance, not the desk log.
        ReadActivities | RecordActivities => matches!(role, DeskOperator | Tutor | Afol | Coordinator),
        Import => matches!(role, DeskOperator | Coordinator),
        // Training belongs to the tutor and the AFOL operator; the desk operator sees who is in which
        // course and waiting (people ask at the desk) but does not enrol.
        ReadTraining => matches!(role, DeskOperator | Tutor | Afol | Coordinator),
        RecordTraining => matches!(role, Tutor | Afol | Coordinator),
        // Cases are opened where people are heard (the desk) and followed by the tutor; the AFOL
        // operator and the arrears officer see a person's path in their own module, not the case.
        ReadCases | RecordCases => matches!(role, DeskOperator | Tutor | Coordinator),
        // Arrears belong to the arrears officer; the tutor follows the household's case and reads
        // its account and plan; the desk operator answers «how much do I still owe?» at the desk.
        ReadArrears => matches!(role, DeskOperator | Tutor | ArrearsOfficer | Coordinator),
        RecordArrears => matches!(role, ArrearsOfficer | Coordinator),
        // The Comune's own reader may make the bundle it receives: it holds no name.
        ExportBundle => matches!(role, Coordinator | ComuneViewer),
        ManageSync | Administer | ReadAudit | Backup | Rights | ManageProject => role == Coordinator,
    }
}

/// The role of an operator, if the operator exists and is not removed.
pub fn role_of(conn: &Connection, operator: OperatorId) -> Result<Option<Role>> {
    let code: Option<String> = conn
        .prepare_cached("SELECT role FROM operator WHERE id = ?1 AND deleted = 0")?
        .query_row([operator], |r| r.get(0))
        .optional()?;
    Ok(code.as_deref().and_then(Role::from_code))
}

/// The role of an operator who may act, or the Italian refusal for one who is unknown or deactivated.
pub fn active_role(conn: &Connection, operator: OperatorId) -> Result<Role> {
    role_of(conn, operator)?.ok_or_else(|| Error::Forbidden {
        message: "questo operatore non esiste o è stato disattivato: accedi con il tuo nome".into(),
    })
}

/// Fails with an Italian sentence unless `actor`'s role allows `action`.
pub fn require(conn: &Connection, actor: &Actor, action: Action) -> Result<Role> {
    let role = active_role(conn, actor.operator)?;
    check(role, action)?;
    Ok(role)
}

/// Fails with an Italian sentence unless `role` allows `action`.
pub fn check(role: Role, action: Action) -> Result<()> {
    if allows(role, action) {
        Ok(())
    } else {
        Err(Error::Forbidden {
            message: format!("il ruolo «{}» non permette di {}", role.label(), action.describe())
        })
    }
}

/// An operator's name, for messages and lists (never an id shown to a person).
pub fn operator_name(conn: &Connection, id: OperatorId) -> Result<String> {
    Ok(conn
        .query_row("SELECT name FROM operator WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "operatore sconosciuto".into()))
}

/// A desk's name, for messages and lists.
pub fn desk_name(conn: &Connection, id: DeskId) -> Result<String> {
    Ok(conn
        .query_row("SELECT name FROM desk WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "postazione sconosciuta".into()))
}
