//! Runs one command: resolves settings, calls the core, hands results to `report`, and
//! decides the exit status (0 ok/accepted, 1 rejected/findings, 2 error).

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::commands::Outcome;
use crate::error::Error;
use crate::report::err;
use crate::report::human::{Diagnostic, Severity, render};

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let settings = crate::settings::Settings::from_process(&cli.global);
    let result = match &cli.command {
        Command::Lint(args) => crate::commands::lint::run(&settings, args),
        Command::Scope(args) => crate::commands::scope::run(&settings, args),
        Command::Check(args) => crate::commands::check::run(&settings, args),
        Command::Key(args) => crate::commands::key::run(&settings, args),
        Command::Sigs(args) => crate::commands::sigs::run(&settings, args),
        Command::Attest(args) => crate::commands::attest::verify(&settings, args),
        Command::Sbom(args) => crate::commands::attest::sbom(&settings, args),
        Command::Sign(args) => crate::commands::sign::sign(&settings, args),
        Command::GenerateKey(args) => crate::commands::sign::generate_key(args),
        Command::Trust(args) => crate::commands::trust::run(&settings, args),
        Command::Init(args) => crate::commands::init::run(&settings, args),
        Command::Where(args) => crate::commands::where_::run(&settings, args),
        Command::Export(args) => crate::commands::k8s::export(&settings, args),
        Command::Import(args) => crate::commands::k8s::import(&settings, args),
        Command::K8s(args) => crate::commands::k8s::run(&settings, args),
        Command::Completions(args) => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(args.shell, &mut cmd, "policyctl", &mut buf);
            crate::report::out(&String::from_utf8_lossy(&buf));
            Ok(Outcome::Ok)
        }
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Ok(Outcome::ErrorReported) => ExitCode::from(2),
        Err(e) => {
            err(&render_error(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

/// Human rendering of a fatal error (with a snippet for policy errors).
pub fn render_error(e: &Error) -> String {
    match e {
        Error::PolicyInvalid { path, text, error } => render(&Diagnostic {
            severity: Severity::Error,
            code: None,
            message: e.to_string(),
            path,
            text,
            span: error.span.clone(),
            label: label_for(error.kind).to_owned(),
            help: Vec::new(),
        }),
        other => format!("error: {other}\n"),
    }
}

fn label_for(kind: crate::json::ErrorKind) -> &'static str {
    use crate::json::ErrorKind::*;
    match kind {
        Syntax => "not valid JSON here",
        ObjectExpected => "expected a JSON object",
        DuplicateKey => "duplicate key",
        UnknownKey => "not allowed here",
        MissingKey => "in this object",
        Type => "wrong JSON type",
        Base64 => "not valid base64",
        _ => "here",
    }
}
