//! Coded lists: each value has a stable code (stored and synced), an Italian and an English label.

/// Declares a coded enum with `code()`, `label_it()`, `label_en()`, `ALL` and `from_code()`.
macro_rules! coded {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $it:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn label_it(self) -> &'static str {
                match self { $($name::$variant => $it),* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }

            /// The codes, for an error message that lists what is allowed.
            pub fn codes_list() -> String {
                $name::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        /// In TypeScript, the union of the codes.
        #[cfg(feature = "ts")]
        impl ts_rs::TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                stringify!($name).to_string()
            }
            fn inline(_: &ts_rs::Config) -> String {
                [$(concat!("\"", $code, "\"")),*].join(" | ")
            }
            fn decl(cfg: &ts_rs::Config) -> String {
                format!("type {} = {};", Self::name(cfg), Self::inline(cfg))
            }
        }
    };
}

coded! {
    /// A member's relationship to the tenant of record.
    Relationship {
        Intestatario = "intestatario", "intestatario/a", "tenant of record";
        Coniuge = "coniuge", "coniuge o unito/a civilmente", "spouse or civil partner";
        Convivente = "convivente", "convivente", "cohabitant";
        Figlio = "figlio", "figlio/a", "child";
        Genitore = "genitore", "genitore", "parent";
        FratelloSorella = "fratello_sorella", "fratello/sorella", "sibling";
        Nipote = "nipote", "nipote", "grandchild or nephew/niece";
        Affine = "affine", "suocero/a, genero, nuora", "in-law";
        AltroParente = "altro_parente", "altro parente", "other relative";
        Altro = "altro", "altro", "other";
    }
}

/// The anagrafe's table of relationships to the tenant of record (ANPR, "Tabella 5 - Relazione di
/// parentela", as agreed with ISTAT; codes 14, 15, 19, 26, 80, 81, 99 are no longer issued but
/// old lists still carry them): its code, its description, and the nearest of our codes.
pub const ANPR_RELATIONSHIPS: &[(u8, &str, Relationship)] = &[
    (1, "Intestatario della scheda", Relationship::Intestatario),
    (2, "Marito / Moglie", Relationship::Coniuge),
    (3, "Figlio / Figlia", Relationship::Figlio),
    (4, "Nipote (discendente)", Relationship::Nipote),
    (5, "Pronipote (discendente)", Relationship::AltroParente),
    (6, "Padre / Madre", Relationship::Genitore),
    (7, "Nonno / Nonna", Relationship::AltroParente),
    (8, "Bisnonno / Bisnonna", Relationship::AltroParente),
    (9, "Fratello / Sorella", Relationship::FratelloSorella),
    (10, "Nipote (collaterale)", Relationship::Nipote),
    (11, "Zio / Zia (collaterale)", Relationship::AltroParente),
    (12, "Cugino / Cugina", Relationship::AltroParente),
    (13, "Altro parente", Relationship::AltroParente),
    (14, "Figliastro / Figliastra", Relationship::Affine),
    (15, "Patrigno / Matrigna", Relationship::Affine),
    (16, "Genero / Nuora", Relationship::Affine),
    (17, "Suocero / Suocera", Relationship::Affine),
    (18, "Cognato / Cognata", Relationship::Affine),
    (19, "Fratellastro / Sorellastra", Relationship::FratelloSorella),
    (20, "Nipote (affine)", Relationship::Affine),
    (21, "Zio / Zia (affine)", Relationship::Affine),
    (22, "Altro affine", Relationship::Affine),
    (23, "Convivente (con vincoli di adozione o affettivi)", Relationship::Convivente),
    (24, "Responsabile della convivenza non affettiva", Relationship::Altro),
    (25, "Convivente in convivenza non affettiva", Relationship::Altro),
    (26, "Tutore", Relationship::Altro),
    (28, "Unito civilmente", Relationship::Coniuge),
    (80, "Adottato", Relationship::Figlio),
    (81, "Nipote", Relationship::Nipote),
    (99, "Non definito / comunicato", Relationship::Altro),
];

impl Relationship {
    /// The relationship said of this person, in Italian: by their sex when it is known
    /// («intestataria», «madre»), the label for both otherwise.
    pub fn label_it_for(self, sex: Option<char>) -> String {
        use crate::format::{agree, by_sex};
        match (self, sex) {
            (_, None) => self.label_it().to_string(),
            (Relationship::Genitore, sex) => by_sex(sex, "padre", "madre"),
            (Relationship::FratelloSorella, sex) => by_sex(sex, "fratello", "sorella"),
            (Relationship::AltroParente, sex) => by_sex(sex, "altro parente", "altra parente"),
            (_, sex) => agree(self.label_it(), sex),
        }
    }

    /// Reads what Comune and ente gestore lists write: the anagrafe's numeric codes and
    /// descriptions (whole, or either half of "Padre / Madre"), its two-letter codes (IS, CG,
    /// FG...), and the words people use. `None` for anything else.
    pub fn parse_loose(text: &str) -> Option<Relationship> {
        let folded = crate::text::fold(text);
        if let Ok(number) = folded.parse::<u8>() {
            return ANPR_RELATIONSHIPS.iter().find(|(code, ..)| *code == number).map(|(.., r)| *r);
        }
        for (_, description, relationship) in ANPR_RELATIONSHIPS {
            let whole = crate::text::fold(description);
            if whole == folded || description.split('/').any(|half| crate::text::fold(half) == folded) {
                return Some(*relationship);
            }
        }
        let r = match folded.as_str() {
            "intestatario"
            | "intestataria"
            | "intestatario scheda"
            | "is"
            | "it"
            | "assegnatario"
            | "assegnataria"
            | "capofamiglia"
            | "titolare"
            | "dichiarante"
            | "richiedente"
            | "ic" => Relationship::Intestatario,
            "coniuge"
            | "cg"
            | "mo"
            | "ma"
            | "moglie"
            | "marito"
            | "unito civilmente"
            | "unita civilmente"
            | "unito a civilmente"
            | "partner unito civilmente" => Relationship::Coniuge,
            "convivente" | "cv" | "co" | "convivente more uxorio" | "compagno" | "compagna" | "convivente di fatto" => {
                Relationship::Convivente
            }
            "figlio" | "figlia" | "fg" | "fi" | "figlio a" | "figli" | "figlio adottivo" | "figlia adottiva"
            | "adottata" => Relationship::Figlio,
            "genitore" | "padre" | "madre" | "ge" | "pa" | "pd" | "md" => Relationship::Genitore,
            "fratello" | "sorella" | "fr" | "so" | "fratello sorella" | "fratello_sorella" | "sorellastra"
            | "fratellastro" => Relationship::FratelloSorella,
            "nipote" | "ni" | "np" => Relationship::Nipote,
            "suocero" | "suocera" | "genero" | "nuora" | "affine" | "cognato" | "cognata" | "figliastro"
            | "figliastra" | "patrigno" | "matrigna" | "sc" | "gn" | "nu" => Relationship::Affine,
            "altro parente" | "altro_parente" | "parente" | "zio" | "zia" | "cugino" | "cugina" | "nonno" | "nonna"
            | "pronipote" | "bisnonno" | "bisnonna" | "ap" => Relationship::AltroParente,
            "altro" | "altra persona" | "ospite" | "tutore" | "non definito" | "ac" => Relationship::Altro,
            _ => return Relationship::from_code(&folded.replace(' ', "_")),
        };
        Some(r)
    }
}

coded! {
    /// ESF labour-market status at entry (exactly one).
    LabourStatus {
        Occupato = "occupato", "occupato/a (anche autonomo)", "employed (incl. self-employed)";
        Disoccupato = "disoccupato", "disoccupato/a", "unemployed";
        DisoccupatoLungaDurata = "disoccupato_lunga_durata", "disoccupato/a di lunga durata (6 mesi o più sotto i 25 anni, 12 dai 25)", "long-term unemployed";
        Inattivo = "inattivo", "inattivo/a", "inactive";
        InattivoNonInFormazione = "inattivo_non_in_formazione", "inattivo/a, non in istruzione o formazione", "inactive, not in education or training";
    }
}

coded! {
    /// ESF education level, reported in the three ISCED bands.
    Isced {
        Livello1_2 = "isced_1_2", "ISCED 1-2 (fino alla licenza media)", "ISCED 1-2";
        Livello3_4 = "isced_3_4", "ISCED 3-4 (diploma)", "ISCED 3-4";
        Livello5_8 = "isced_5_8", "ISCED 5-8 (laurea e oltre)", "ISCED 5-8";
        Nessuno = "isced_0", "nessun titolo", "no formal education";
    }
}

coded! {
    /// An answer to a sensitive ESF question, which the person may refuse.
    EsfAnswer {
        Si = "si", "sì", "yes";
        No = "no", "no", "no";
        NonRisponde = "non_risponde", "preferisce non rispondere", "prefers not to say";
    }
}

coded! {
    /// How a desk contact happened.
    Channel {
        DiPersona = "di_persona", "di persona allo sportello", "in person at the desk";
        Telefono = "telefono", "telefono", "phone";
        VisitaDomiciliare = "visita_domiciliare", "visita domiciliare", "home visit";
        Email = "email", "e-mail", "e-mail";
        Messaggio = "messaggio", "messaggio (SMS, WhatsApp)", "message";
        Altro = "altro", "altro", "other";
    }
}

coded! {
    /// The needs a desk contact is about.
    Topic {
        Casa = "casa", "casa e alloggio", "housing";
        Morosita = "morosita", "morosità e debiti", "arrears and debt";
        Lavoro = "lavoro", "lavoro", "work";
        Formazione = "formazione", "formazione", "training";
        Salute = "salute", "salute", "health";
        Famiglia = "famiglia", "famiglia", "family";
        Documenti = "documenti", "documenti e pratiche", "documents";
        Reddito = "reddito", "reddito e sostegni economici", "income support";
        Scuola = "scuola", "scuola e minori", "school and children";
        Vicinato = "vicinato", "conflitti di vicinato", "conflict with neighbours";
        Manutenzione = "manutenzione", "manutenzione dell'alloggio", "dwelling maintenance";
        Altro = "altro", "altro", "other";
    }
}

coded! {
    /// What kind of organisation a partner is.
    PartnerKind {
        Comune = "comune", "Comune", "municipality";
        ServizioSociale = "servizio_sociale", "Servizio Sociale", "social services";
        EnteGestore = "ente_gestore", "ente gestore", "housing manager";
        Cooperativa = "cooperativa", "cooperativa sociale", "social cooperative";
        Lavoro = "lavoro", "servizi per il lavoro e la formazione", "employment and training";
        Associazione = "associazione", "associazione", "association";
        Parrocchia = "parrocchia", "parrocchia", "parish";
        Scuola = "scuola", "scuola", "school";
        Sanita = "sanita", "servizi sanitari", "health services";
        Altro = "altro", "altro", "other";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Relationship::ALL {
            assert_eq!(Relationship::from_code(r.code()), Some(*r));
            assert_eq!(Relationship::parse_loose(r.code()), Some(*r));
        }
        assert_eq!(Relationship::parse_loose("FIGLIA"), Some(Relationship::Figlio));
        assert_eq!(Relationship::parse_loose("IS"), Some(Relationship::Intestatario));
        assert_eq!(Relationship::parse_loose("vicino di casa"), None);
        assert_eq!(Relationship::parse_loose("badante"), None);
    }

    /// Every row of the anagrafe's table reads back as its relationship, by number (as "3" or
    /// "03"), by description as the anagrafe writes it in capitals, and by each of its halves.
    #[test]
    fn the_anagrafe_table_reads_whole() {
        for (code, description, relationship) in ANPR_RELATIONSHIPS {
            assert_eq!(Relationship::parse_loose(&code.to_string()), Some(*relationship), "{code}");
            assert_eq!(Relationship::parse_loose(&format!("{code:02}")), Some(*relationship), "{code:02}");
            assert_eq!(Relationship::parse_loose(&description.to_uppercase()), Some(*relationship), "{description}");
            for half in description.split('/') {
                let fold = crate::text::fold;
                let rows_with_it =
                    ANPR_RELATIONSHIPS.iter().filter(|(_, d, _)| d.split('/').any(|h| fold(h) == fold(half))).count();
                // "Zio " is half of two rows (collaterale, affine): the first, nearer one is read.
                if rows_with_it == 1 {
                    assert_eq!(Relationship::parse_loose(half), Some(*relationship), "{half}");
                }
            }
        }
        assert_eq!(Relationship::parse_loose("27"), None, "27 is not in the table");
        for t in Topic::ALL {
            assert_eq!(Topic::from_code(t.code()), Some(*t));
        }
    }
}

coded! {
    /// What kind of activity: the seed counts events and thematic assemblies apart.
    ActivityKind {
        Assemblea = "assemblea", "assemblea tematica", "thematic assembly";
        Evento = "evento", "evento di socialità", "social event";
        Formazione = "formazione", "incontro di formazione", "training session";
        Incontro = "incontro", "incontro con i partner", "partnership meeting";
    }
}

coded! {
    /// The project's axes, as the ESF plan names them.
    Axis {
        Convivenza = "convivenza", "convivenza e partecipazione", "living together and participation";
        Disagio = "disagio", "disagio sociale e prese in carico", "social hardship and case work";
        FormazioneLavoro = "formazione_lavoro", "formazione e lavoro", "training and work";
        Morosita = "morosita", "morosità incolpevole", "no-fault arrears";
    }
}

coded! {
    /// Where an action of the project plan stands.
    ActionStatus {
        DaAvviare = "da_avviare", "da avviare", "not started";
        InCorso = "in_corso", "in corso", "in progress";
        Sospesa = "sospesa", "sospesa", "on hold";
        Completata = "completata", "completata", "done";
        Annullata = "annullata", "annullata", "cancelled";
    }
}
impl ActionStatus {
    /// Still to be done: such an action past its due date is late.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::DaAvviare | ActionStatus::InCorso | ActionStatus::Sospesa)
    }
}

coded! {
    /// A training course or a job-search path (formazione e lavoro).
    CourseKind {
        Corso = "corso", "corso di formazione", "training course";
        RicercaLavoro = "ricerca_lavoro", "percorso di ricerca del lavoro", "job-search path";
    }
}

coded! {
    /// ESF age band at entry (Reg. EU 1304/2013 Annex I).
    AgeBand {
        Under25 = "meno_di_25", "meno di 25 anni", "under 25";
        From25To54 = "25_54", "da 25 a 54 anni", "25 to 54";
        Over54 = "oltre_54", "oltre 54 anni", "over 54";
    }
}

coded! {
    /// Why a participant left a course or path.
    ExitReason {
        Completato = "completato", "percorso completato", "path completed";
        Lavoro = "lavoro", "ha trovato lavoro", "found a job";
        Ritiro = "ritiro", "ritirato/a per scelta", "withdrew";
        Salute = "salute", "motivi di salute o famiglia", "health or family reasons";
        Trasferimento = "trasferimento", "trasferito/a altrove", "moved away";
        Altro = "altro", "altro motivo", "other reason";
    }
}

coded! {
    /// The ESF result within four weeks of exit.
    ResultAtExit {
        InCercaDiLavoro = "in_cerca", "in cerca di lavoro", "job-searching";
        InFormazione = "in_formazione", "in istruzione o formazione", "in education or training";
        Qualifica = "qualifica", "ha ottenuto una qualifica", "gained a qualification";
        Occupato = "occupato", "occupato/a (anche autonomo)", "employed (incl. self-employed)";
        Nessuno = "nessuno", "nessuno dei precedenti", "none of these";
    }
}

coded! {
    /// The ESF result six months after exit.
    ResultAt6m {
        Occupato = "occupato", "occupato/a (anche autonomo)", "employed (incl. self-employed)";
        Migliorato = "migliorato", "situazione lavorativa migliorata", "better labour-market situation";
        Nessuno = "nessuno", "nessuno dei precedenti", "none of these";
        NonRaggiunto = "non_raggiunto", "non è stato possibile sentirlo/a", "could not be reached";
    }
}

coded! {
    /// A line of an activity's minutes.
    MinuteKind {
        Tema = "tema", "tema discusso", "topic discussed";
        Decisione = "decisione", "decisione presa", "decision taken";
        Impegno = "impegno", "impegno da seguire", "follow-up";
    }
}
coded! {
    /// Where a goal or a step of a case's plan stands.
    GoalStatus {
        Aperto = "aperto", "da fare", "to do";
        InCorso = "in_corso", "in corso", "in progress";
        Raggiunto = "raggiunto", "raggiunto", "achieved";
        NonRaggiunto = "non_raggiunto", "non raggiunto", "not achieved";
        Annullato = "annullato", "non più necessario", "no longer needed";
    }
}
impl GoalStatus {
    /// Still to be done: such a goal past its due date is overdue.
    pub fn is_open(self) -> bool {
        matches!(self, GoalStatus::Aperto | GoalStatus::InCorso)
    }
}
coded! {
    /// Where a referral to a partner or to the Servizio Sociale stands.
    ReferralState {
        Inviato = "inviato", "inviato", "sent";
        Accettato = "accettato", "accettato", "accepted";
        Rifiutato = "rifiutato", "rifiutato", "refused";
        Concluso = "concluso", "concluso", "done";
    }
}
coded! {
    /// How a case ended.
    CaseOutcome {
        ObiettiviRaggiunti = "obiettivi_raggiunti", "obiettivi raggiunti", "goals achieved";
        InParte = "in_parte", "obiettivi raggiunti in parte", "goals partly achieved";
        AffidatoServizi = "affidato_servizi", "affidato ai servizi (Servizio Sociale o altro ente)", "handed to the services";
        Interrotto = "interrotto", "interrotto dalla persona", "ended by the person";
        Trasferito = "trasferito", "la persona si è trasferita", "the person moved away";
        Altro = "altro", "altro", "other";
    }
}

coded! {
    /// Why a household's income was lost or cut (DM 14/05/2014 art. 2; separation as some notices add).
    NoFaultCause {
        Licenziamento = "licenziamento", "licenziamento", "dismissal";
        RiduzioneOrario = "riduzione_orario", "riduzione dell'orario di lavoro", "reduced working hours";
        CassaIntegrazione = "cassa_integrazione", "cassa integrazione", "wage guarantee fund (cassa integrazione)";
        ContrattoNonRinnovato = "contratto_non_rinnovato", "contratto a termine non rinnovato", "fixed-term contract not renewed";
        CessazioneAttivita = "cessazione_attivita", "cessazione di un'attività autonoma", "business closed";
        Malattia = "malattia", "malattia grave o infortunio di un componente", "serious illness or injury of a member";
        Decesso = "decesso", "decesso di un componente", "death of a member";
        Separazione = "separazione", "separazione o divorzio", "separation or divorce";
    }
}

coded! {
    /// Where a repayment plan stands on a day.
    PlanStatus {
        Attivo = "attivo", "attivo", "active";
        InRitardo = "in_ritardo", "in ritardo", "late";
        Decaduto = "decaduto", "decaduto", "lapsed";
        Chiuso = "chiuso", "chiuso", "closed";
    }
}

coded! {
    /// Where an instalment of a repayment plan stands.
    InstalmentState {
        Pagata = "pagata", "pagata", "paid";
        PagataInRitardo = "pagata_in_ritardo", "pagata in ritardo", "paid late";
        Parziale = "parziale", "pagata in parte", "partly paid";
        Scaduta = "scaduta", "scaduta", "overdue";
        DaPagare = "da_pagare", "da pagare", "to pay";
    }
}

coded! {
    /// The project's indicators, each computed from the records (never typed).
    IndicatorCode {
        FormazioneLavoro = "formazione_lavoro", "Residenti in percorsi di formazione o ricerca lavoro", "Residents in training or job-search paths";
        NucleiRaggiunti = "nuclei_raggiunti", "Nuclei raggiunti", "Households reached";
        PianiFirmati = "piani_firmati", "Piani di rientro firmati", "Repayment plans signed";
        PianiMonitorati = "piani_monitorati", "Piani di rientro in corso e monitorati", "Repayment plans in force and monitored";
        Eventi = "eventi", "Eventi di socialità", "Social events";
        Assemblee = "assemblee", "Assemblee tematiche", "Thematic assemblies";
        DebitoIncolpevole = "debito_incolpevole", "Debito per morosità incolpevole", "No-fault arrears debt";
        ContattiSportello = "contatti_sportello", "Contatti allo sportello", "Desk contacts";
        PreseInCarico = "prese_in_carico", "Prese in carico aperte", "Cases opened";
        PartecipantiFse = "partecipanti_fse", "Partecipanti FSE entrati", "ESF participants who entered";
    }
}
