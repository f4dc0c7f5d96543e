//! P015 docker-hub-namespace: `docker.io/NAME` covers a Docker Hub user or organization, not
//! the official image `NAME` (issue 10: on real policies these are almost always meant as
//! namespaces, so this is information, not a warning).

use super::scope_not_normalized::{ScopeForm, classify};
use crate::diag::Severity;
use crate::lint::{Context, Finding, Rule};

pub static RULE: &Rule = &Rule {
    code: "P015",
    name: "docker-hub-namespace",
    severity: Severity::Info,
    summary: "docker scope docker.io/NAME covers the Docker Hub namespace NAME, not the official image NAME",
    docs: r#"### What it does
Notes `docker` scopes of the form `docker.io/NAME` (one path component), such as
`docker.io/grafana`.

### Why
Such a scope matches the repositories of the Docker Hub user or organization `NAME`
(`docker.io/grafana/grafana`, `docker.io/grafana/loki`, …). It does not match the official
image `NAME`, whose identity is `docker.io/library/NAME`. Usually that is what was meant;
sometimes the official image was.

### Fix
Nothing, if you meant the namespace. For the official image write `docker.io/library/NAME`.
"#,
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in super::docker_scopes(ctx.policy, true) {
        let Some(ScopeForm::DockerIoSingle { name }) = classify(&s.key.value) else {
            continue;
        };
        out.push(Finding {
            code: RULE.code,
            message: format!(
                "docker scope {:?} covers the Docker Hub namespace docker.io/{name}/*, not the official image {name:?}",
                s.key.value
            ),
            span: s.key.span.clone(),
            label: "a Docker Hub namespace".into(),
            help: Some(format!(
                "if you meant the official image, write \"docker.io/library/{name}\""
            )),
        });
    }
}
