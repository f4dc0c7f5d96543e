//! A seeded generator of hostile manifests, lists and indexes for differential fuzzing against
//! c/image's Go code: random key spellings (Go folds `MediaType`, `ſignatures`, `\u{212A}`),
//! duplicate keys (last wins, slices reuse their elements, structs merge), nulls and wrong types
//! in every field, schema-1 JWS headers pointing anywhere, ambiguous fields, platforms with and
//! without variants, zstd annotations. Deterministic: the same seed gives the same cases.

/// A tiny deterministic PRNG (xorshift64*), so the corpus needs no crate and never changes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const AMD64: &str = "sha256:3a6e9705da152a69a54a9b57dc065459e27ae26b4031f647ebf6e984cc834018";
pub const ARM64: &str = "sha256:418abaa0c577d3761aa0ffe5f968c7f40cb2d6822e5c1e376c2ba6a783641408";

const MEDIA_TYPES: &[&str] = &[
    "\"application/vnd.oci.image.manifest.v1+json\"",
    "\"application/vnd.oci.image.index.v1+json\"",
    "\"application/vnd.docker.distribution.manifest.v2+json\"",
    "\"application/vnd.docker.distribution.manifest.list.v2+json\"",
    "\"application/vnd.docker.distribution.manifest.v1+json\"",
    "\"application/vnd.docker.distribution.manifest.v1+prettyjws\"",
    "\"application/vnd.oci.image.config.v1+json\"",
    "\"x/custom\"",
    "\"\"",
    "null",
    "1",
];

/// A key spelled the way Go would still match it (or not).
fn spell(r: &mut Rng, key: &str) -> String {
    match r.below(10) {
        0 => key.to_uppercase(),
        1 => {
            let mut c = key.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
        2 if key.contains('s') => key.replacen('s', "\u{17F}", 1),
        3 if key.contains('k') => key.replacen('k', "\u{212A}", 1),
        4 => format!("{key}x"), // not the field at all
        _ => key.to_owned(),
    }
}

fn member(r: &mut Rng, key: &str, value: String) -> String {
    let k = spell(r, key);
    let k = serde_json::to_string(&k).unwrap_or_default();
    format!("{k}:{value}")
}

fn object(r: &mut Rng, members: Vec<String>) -> String {
    let mut m = members;
    // Shuffle a little and sometimes repeat a member (Go: the last one wins, merging).
    for i in (1..m.len()).rev() {
        if r.chance(30) {
            let j = r.below(i + 1);
            m.swap(i, j);
        }
    }
    if !m.is_empty() && r.chance(20) {
        let i = r.below(m.len());
        let dup = m[i].clone();
        m.push(dup);
    }
    format!("{{{}}}", m.join(","))
}

fn maybe_wrong(r: &mut Rng, good: String) -> String {
    match r.below(14) {
        0 => "null".into(),
        1 => "\"x\"".into(),
        2 => "[]".into(),
        3 => "{}".into(),
        4 => "2.5".into(),
        _ => good,
    }
}

fn platform(r: &mut Rng) -> String {
    let mut m = Vec::new();
    if r.chance(90) {
        let v = format!("\"{}\"", r.pick(&["amd64", "arm64", "arm", "s390x", ""]));
        let v = maybe_wrong(r, v);
        m.push(member(r, "architecture", v));
    }
    if r.chance(90) {
        let v = format!("\"{}\"", r.pick(&["linux", "windows", ""]));
        m.push(member(r, "os", v));
    }
    if r.chance(40) {
        let v = format!("\"{}\"", r.pick(&["v5", "v6", "v7", "v8", "v2", ""]));
        let v = maybe_wrong(r, v);
        m.push(member(r, "variant", v));
    }
    if r.chance(10) {
        m.push({
            let w = maybe_wrong(r, "[\"a\"]".into());
            member(r, "os.features", w)
        });
    }
    object(r, m)
}

fn descriptor(r: &mut Rng, with_platform: bool) -> String {
    let mut m = Vec::new();
    let d = format!(
        "\"{}\"",
        r.pick(&[AMD64, ARM64, AMD64, ARM64, "sha256:bad", ""])
    );
    m.push({
        let w = maybe_wrong(r, d);
        member(r, "digest", w)
    });
    if r.chance(70) {
        let mt = r.pick(MEDIA_TYPES).to_owned();
        m.push(member(r, "mediaType", mt));
    }
    if r.chance(70) {
        let s = r
            .pick(&["397", "0", "-1", "\"1\"", "1.0", "1e3", "null"])
            .to_owned();
        m.push(member(r, "size", s));
    }
    if with_platform && r.chance(85) {
        let p = platform(r);
        let p = if r.chance(10) { "null".to_owned() } else { p };
        m.push(member(r, "platform", p));
    }
    if r.chance(15) {
        let v = r.pick(&["\"true\"", "\"TRUE\"", "null", "1"]).to_owned();
        m.push(member(
            r,
            "annotations",
            format!("{{\"io.github.containers.compression.zstd\":{v}}}"),
        ));
    }
    if r.chance(8) {
        let v = r
            .pick(&["\"YWJj\"", "\"!!\"", "[1,2]", "[300]", "null"])
            .to_owned();
        m.push(member(r, "data", v));
    }
    if r.chance(5) {
        m.push({
            let w = maybe_wrong(r, "[\"u\"]".into());
            member(r, "urls", w)
        });
    }
    object(r, m)
}

fn array(r: &mut Rng, max: usize, item: &mut dyn FnMut(&mut Rng) -> String) -> String {
    let n = r.below(max + 1);
    let items: Vec<String> = (0..n).map(|_| item(r)).collect();
    format!("[{}]", items.join(","))
}

/// One generated manifest (UTF-8 JSON text, always syntactically valid).
pub fn manifest(r: &mut Rng) -> String {
    let mut m = Vec::new();
    if r.chance(60) {
        let mt = r.pick(MEDIA_TYPES).to_owned();
        m.push(member(r, "mediaType", mt));
    }
    if r.chance(90) {
        let v = r
            .pick(&["2", "2", "2", "1", "3", "\"2\"", "2.0", "1e0", "null", "-0"])
            .to_owned();
        m.push(member(r, "schemaVersion", v));
    }
    if r.chance(60) {
        let v = array(r, 4, &mut |r| descriptor(r, true));
        m.push({
            let w = maybe_wrong(r, v);
            member(r, "manifests", w)
        });
    }
    if r.chance(35) {
        let mt = r.pick(MEDIA_TYPES).to_owned();
        let mm = member(r, "mediaType", mt);
        let c = object(r, vec![mm]);
        m.push({
            let w = maybe_wrong(r, c);
            member(r, "config", w)
        });
    }
    if r.chance(30) {
        let v = array(r, 2, &mut |r| descriptor(r, false));
        m.push({
            let w = maybe_wrong(r, v);
            member(r, "layers", w)
        });
    }
    if r.chance(12) {
        let v = r.pick(&["[]", "null", "1", "[{}]"]).to_owned();
        m.push(member(r, "signatures", v));
    }
    if r.chance(8) {
        m.push(member(r, "fsLayers", "[]".into()));
    }
    if r.chance(8) {
        m.push(member(r, "history", "[]".into()));
    }
    if r.chance(8) {
        let v = descriptor(r, true);
        m.push({
            let w = maybe_wrong(r, v);
            member(r, "subject", w)
        });
    }
    object(r, m)
}

/// `n` cases from `seed`.
pub fn corpus(seed: u64, n: usize) -> Vec<String> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| manifest(&mut r)).collect()
}

#[test]
fn generator_is_deterministic_and_valid_json() {
    let a = corpus(7, 200);
    assert_eq!(a, corpus(7, 200));
    for m in &a {
        assert!(policyctl::json::scan::validate(m.as_bytes()).is_ok(), "{m}");
    }
    // It does produce the hostile shapes it is for.
    assert!(
        a.iter()
            .any(|m| m.contains("Manifests") || m.contains("MANIFESTS"))
    );
    assert!(a.iter().filter(|m| m.contains("\"manifests\"")).count() > 50);
}
