//! `policyctl where`.

use snapbox::str;

use crate::util::policyctl;

#[test]
fn user_policy_shadows_the_system_one() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let root = t.path().join("root");
    std::fs::create_dir_all(home.join(".config/containers")).unwrap();
    std::fs::create_dir_all(root.join("etc/containers")).unwrap();
    std::fs::write(home.join(".config/containers/policy.json"), "{}").unwrap();
    std::fs::write(root.join("etc/containers/policy.json"), "{}").unwrap();
    policyctl()
        .env("HOME", &home)
        .env_remove("CONTAINERS_STORAGE_CONF")
        .env_remove("XDG_CONFIG_HOME")
        .arg("--root")
        .arg(&root)
        .arg("where")
        .assert()
        .success()
        .stdout_eq(str![[r#"
as uid [..]
policy.json:
  --policy                   not given   -
  $CONTAINERS_POLICY_JSON    unset       -
  user                       present     [..]/home/.config/containers/policy.json  <- in effect
  system                     present     [..]/root/etc/containers/policy.json  (shadowed)
registries.d:
...
"#]]);
    let out = policyctl()
        .env("HOME", &home)
        .arg("--root")
        .arg(&root)
        .args(["where", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(
        v["files"][0]["in_effect"]
            .as_str()
            .unwrap()
            .ends_with("home/.config/containers/policy.json")
    );
}

/// Issue 9: `where` shows the lookup every command uses. For each setup, the file `where`
/// marks in effect is the one `lint` then reads, and `$CONTAINERS_POLICY_JSON` is listed
/// only where the lookup consults it (`--compat current`).
#[test]
fn where_and_the_commands_agree_on_the_policy_file() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let root = t.path().join("root");
    std::fs::create_dir_all(home.join(".config/containers")).unwrap();
    std::fs::create_dir_all(root.join("etc/containers")).unwrap();
    std::fs::write(
        root.join("etc/containers/policy.json"),
        r#"{"default":[{"type":"reject"}]}"#,
    )
    .unwrap();
    let env_policy = t.path().join("env.json");
    std::fs::write(
        &env_policy,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
    .unwrap();
    let user = home.join(".config/containers/policy.json");
    for (with_user, with_env, compat) in [
        (false, false, "current"),
        (true, false, "current"),
        (true, true, "current"),
        (true, true, "5.23"),
        (false, true, "5.23"),
    ] {
        if with_user {
            std::fs::write(&user, r#"{"default":[{"type":"reject"}]}"#).unwrap();
        } else {
            let _ = std::fs::remove_file(&user);
        }
        let run = |args: &[&str]| {
            let mut c = std::process::Command::new(snapbox::cmd::cargo_bin!("policyctl"));
            c.env("HOME", &home).env_remove("CONTAINERS_POLICY_JSON");
            if with_env {
                c.env("CONTAINERS_POLICY_JSON", &env_policy);
            }
            c.arg("--compat")
                .arg(compat)
                .arg("--root")
                .arg(&root)
                .args(args);
            c.output().unwrap()
        };
        let w: serde_json::Value =
            serde_json::from_slice(&run(&["where", "--json"]).stdout).unwrap();
        let in_effect = w["files"][0]["in_effect"].as_str().unwrap().to_owned();
        let sources: Vec<&str> = w["files"][0]["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["source"].as_str().unwrap())
            .collect();
        assert_eq!(
            sources.contains(&"$CONTAINERS_POLICY_JSON"),
            compat == "current",
            "{sources:?}"
        );
        let l: serde_json::Value =
            serde_json::from_slice(&run(&["lint", "--no-files", "--format", "json"]).stdout)
                .unwrap();
        assert_eq!(
            l["policy"]["path"].as_str().unwrap(),
            in_effect,
            "user={with_user} env={with_env} compat={compat}"
        );
        let expected = if with_env && compat == "current" {
            env_policy.clone()
        } else if with_user {
            user.clone()
        } else {
            root.join("etc/containers/policy.json")
        };
        assert_eq!(std::path::PathBuf::from(&in_effect), expected);
    }
}
