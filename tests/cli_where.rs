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
