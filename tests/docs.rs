//! Documentation that must not drift from the CLI: man pages generated from the clap
//! definitions and compared with `man/`, `--help` for every command.

use clap::CommandFactory;

use crate::util::{policyctl, repo};

fn render(cmd: &clap::Command) -> String {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

/// `man/policyctl.1` and `man/policyctl-<sub>.1` equal what clap generates;
/// `SNAPSHOTS=overwrite cargo test` rewrites them.
#[test]
fn man_pages_match_cli() {
    let cmd = policyctl::cli::Cli::command();
    let mut pages = vec![("policyctl.1".to_owned(), render(&cmd))];
    let mut todo: Vec<(String, clap::Command)> = cmd
        .get_subcommands()
        .map(|s| (format!("policyctl-{}", s.get_name()), s.clone()))
        .collect();
    while let Some((name, sub)) = todo.pop() {
        for nested in sub.get_subcommands() {
            todo.push((format!("{name}-{}", nested.get_name()), nested.clone()));
        }
        let sub = sub.name(&*Box::leak(name.clone().into_boxed_str()));
        pages.push((format!("{name}.1"), render(&sub)));
    }
    for (file, text) in pages {
        crate::util::assert_generated(
            &repo("man").join(&file),
            &text,
            "run `SNAPSHOTS=overwrite cargo test man_pages` and commit man/",
        );
    }
}

#[test]
fn every_command_has_help() {
    let cmd = policyctl::cli::Cli::command();
    for sub in cmd.get_subcommands() {
        let out = policyctl()
            .args([sub.get_name(), "--help"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Usage: policyctl"), "{text}");
        assert!(
            sub.get_about().is_some(),
            "{} needs an about line",
            sub.get_name()
        );
        for nested in sub.get_subcommands() {
            policyctl()
                .args([sub.get_name(), nested.get_name(), "--help"])
                .assert()
                .success();
            assert!(
                nested.get_about().is_some(),
                "{} {} needs an about line",
                sub.get_name(),
                nested.get_name()
            );
        }
    }
    policyctl().arg("--help").assert().success();
    policyctl().arg("--version").assert().success();
    policyctl().arg("no-such-command").assert().code(2);
}
