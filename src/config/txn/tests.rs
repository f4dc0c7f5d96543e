use super::*;

/// Whether the tests run as root (files they create are owned by uid 0).
fn is_root() -> bool {
    let t = tempfile::tempdir().unwrap();
    fs::metadata(t.path()).unwrap().uid() == 0
}

#[test]
fn replace_keeps_backup_and_mode() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("sub/policy.json");
    let tx = Txn::begin(&p, Safety::default(), 1 << 20).unwrap();
    assert!(tx.current().is_none());
    tx.commit(b"one", 0o644).unwrap();
    let tx = Txn::begin(&p, Safety::default(), 1 << 20).unwrap();
    assert_eq!(tx.current(), Some(&b"one"[..]));
    tx.commit(b"two", 0o644).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"two");
    assert_eq!(
        fs::read(t.path().join("sub/policy.json.bak")).unwrap(),
        b"one"
    );
    assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o644);
    assert_eq!(
        fs::metadata(t.path().join("sub")).unwrap().mode() & 0o777,
        0o755
    );
    // Nothing else is left in the directory.
    let mut names: Vec<_> = fs::read_dir(t.path().join("sub"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["policy.json", "policy.json.bak"]);
}

/// Issue 8 defect 11: an existing file keeps its mode and owner (and so does its backup); a
/// new file gets the mode asked for.
#[test]
fn an_existing_file_keeps_its_mode_and_owner() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("policy.json");
    fs::write(&p, b"old").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    let owner = if is_root() {
        std::os::unix::fs::chown(&p, Some(1234), Some(4321)).unwrap();
        (1234, 4321)
    } else {
        let m = fs::metadata(&p).unwrap();
        (m.uid(), m.gid())
    };
    Txn::begin(&p, Safety::default(), 1024)
        .unwrap()
        .commit(b"new", 0o644)
        .unwrap();
    for f in [p.clone(), t.path().join("policy.json.bak")] {
        let m = fs::metadata(&f).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o640, "{}", f.display());
        assert_eq!((m.uid(), m.gid()), owner, "{}", f.display());
    }
    assert_eq!(fs::read(&p).unwrap(), b"new");
    let fresh = t.path().join("fresh.json");
    Txn::begin(&fresh, Safety::default(), 1024)
        .unwrap()
        .commit(b"x", 0o644)
        .unwrap();
    assert_eq!(fs::metadata(&fresh).unwrap().mode() & 0o7777, 0o644);
}

#[test]
fn two_transactions_in_one_directory_share_the_lock() {
    let t = tempfile::tempdir().unwrap();
    let a = Txn::begin(&t.path().join("a"), Safety::default(), 1024).unwrap();
    let b = Txn::begin(&t.path().join("b"), Safety::default(), 1024).unwrap();
    a.commit(b"a", 0o644).unwrap();
    b.commit(b"b", 0o644).unwrap();
    assert!(
        HELD.lock()
            .unwrap()
            .iter()
            .all(|(d, _)| !d.starts_with(t.path().canonicalize().unwrap()))
    );
}

#[test]
fn refuses_symlinks_and_open_directories() {
    let t = tempfile::tempdir().unwrap();
    fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let real = t.path().join("real.json");
    fs::write(&real, b"x").unwrap();
    let link = t.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let e = Txn::begin(&link, Safety::default(), 1 << 20).err().unwrap();
    assert!(e.0.contains("is a symlink"), "{e}");
    assert!(Txn::begin(&link, Safety { force: true }, 1 << 20).is_ok());
    let open = t.path().join("open");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
    let e = Txn::begin(&open.join("p.json"), Safety::default(), 1 << 20)
        .err()
        .unwrap();
    assert!(e.0.contains("writable by other users"), "{e}");
}

/// Issue 8 defect 11: a symlinked directory anywhere on the path is refused (it would
/// redirect the write), even when the directory below it does not exist yet.
#[test]
fn refuses_a_path_through_a_symlinked_directory() {
    let t = tempfile::tempdir().unwrap();
    let elsewhere = t.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::create_dir(t.path().join("etc")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, t.path().join("etc/containers")).unwrap();
    for p in [
        t.path().join("etc/containers/policy.json"),
        t.path().join("etc/containers/registries.d/x.yaml"),
    ] {
        let e = Txn::begin(&p, Safety::default(), 1024).err().unwrap();
        assert!(
            e.0.contains("goes through the symlink") && e.0.contains("etc/containers (to "),
            "{e}"
        );
    }
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    // --force follows it.
    Txn::begin(
        &t.path().join("etc/containers/policy.json"),
        Safety { force: true },
        1024,
    )
    .unwrap()
    .commit(b"x", 0o644)
    .unwrap();
    assert_eq!(fs::read(elsewhere.join("policy.json")).unwrap(), b"x");
    let e = Txn::begin(&t.path().join("etc/../x.json"), Safety::default(), 1024)
        .err()
        .unwrap();
    assert!(e.0.contains("'..'"), "{e}");
}

/// Issue 8 defect 11: temporary names are random, and files a killed writer left (old
/// `.NAME.tmp-PID` names included) are swept under the lock, for the file and its backup.
#[test]
fn temporary_names_are_random_and_stale_ones_are_swept() {
    let a = tmp_name("policy.json");
    let b = tmp_name("policy.json");
    assert_ne!(a, b);
    assert!(a.starts_with(".policy.json.tmp-") && a.len() == ".policy.json.tmp-".len() + 16);
    let t = tempfile::tempdir().unwrap();
    let stale = [
        ".policy.json.tmp-4242",
        ".policy.json.tmp-0123456789abcdef",
        ".policy.json.bak.tmp-77",
    ];
    for s in stale {
        fs::write(t.path().join(s), b"partial").unwrap();
    }
    fs::write(t.path().join(".other.json.tmp-1"), b"not ours").unwrap();
    Txn::begin(&t.path().join("policy.json"), Safety::default(), 1024)
        .unwrap()
        .commit(b"x", 0o644)
        .unwrap();
    let mut names: Vec<_> = fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, [".other.json.tmp-1", "policy.json"]);
}

/// Issue 8 defect 11: one transaction holds the locks of all its directories until it is
/// committed, not one after the other.
#[test]
fn one_lock_for_a_multi_file_change() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a/key.pub"), t.path().join("b/policy.json"));
    let tx = Txn::begin_all(&[(a.clone(), 1024), (b.clone(), 1024)], Safety::default()).unwrap();
    // Another open file description cannot take either lock now.
    for d in ["a", "b"] {
        let f = File::open(t.path().join(d)).unwrap();
        assert!(f.try_lock().is_err(), "{d} is not locked");
    }
    tx.commit_all(vec![
        Change::Write {
            path: a.clone(),
            contents: b"k".to_vec(),
            mode: 0o644,
        },
        Change::Write {
            path: b.clone(),
            contents: b"p".to_vec(),
            mode: 0o644,
        },
    ])
    .unwrap();
    for d in ["a", "b"] {
        let f = File::open(t.path().join(d)).unwrap();
        assert!(f.try_lock().is_ok(), "{d} is still locked");
    }
    assert_eq!(fs::read(&a).unwrap(), b"k");
    assert_eq!(fs::read(&b).unwrap(), b"p");
}

/// A failure in the middle of a multi-file change puts back what was already changed.
#[test]
fn a_failed_rename_rolls_back_the_earlier_ones() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        t.path().join("a.json"),
        t.path().join("new.json"),
        t.path().join("c.json"),
    );
    fs::write(&a, b"old a").unwrap();
    fs::write(&c, b"old c").unwrap();
    let tx = Txn::begin_all(
        &[(a.clone(), 1024), (b.clone(), 1024), (c.clone(), 1024)],
        Safety::default(),
    )
    .unwrap();
    // Between begin and commit, c becomes a non-empty directory: its rename fails.
    fs::remove_file(&c).unwrap();
    fs::create_dir(&c).unwrap();
    fs::write(c.join("x"), b"").unwrap();
    let e = tx
        .commit_all(vec![
            Change::Write {
                path: a.clone(),
                contents: b"new a".to_vec(),
                mode: 0o644,
            },
            Change::Write {
                path: b.clone(),
                contents: b"new b".to_vec(),
                mode: 0o644,
            },
            Change::Write {
                path: c.clone(),
                contents: b"new c".to_vec(),
                mode: 0o644,
            },
        ])
        .err()
        .unwrap();
    assert!(e.0.contains("renaming into place"), "{e}");
    assert_eq!(fs::read(&a).unwrap(), b"old a");
    assert!(!b.exists());
    let left: Vec<_> = fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn remove_keeps_a_backup_and_changes_outside_the_transaction_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a.pub");
    fs::write(&a, b"key").unwrap();
    let tx = Txn::begin(&a, Safety::default(), 1024).unwrap();
    let e = Txn::begin(&a, Safety::default(), 1024)
        .unwrap()
        .commit_all(vec![Change::Remove {
            path: t.path().join("other"),
        }])
        .err()
        .unwrap();
    assert!(e.0.contains("not part of the transaction"), "{e}");
    tx.commit_all(vec![Change::Remove { path: a.clone() }])
        .unwrap();
    assert!(!a.exists());
    assert_eq!(fs::read(t.path().join("a.pub.bak")).unwrap(), b"key");
}
