//! Command-line definitions (clap derive only; no logic lives here).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::compat::Compat;

/// Explain, lint and edit the containers trust policy (policy.json) offline.
///
/// policyctl answers "would podman/skopeo/CRI-O accept this image, and why?" with the verdict
/// containers/image would give, and checks policy.json files with containers/image's own strict
/// parser.
#[derive(Debug, Parser)]
#[command(
    name = "policyctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Use this policy file instead of the default lookup
    /// ($HOME/.config/containers/policy.json, then /etc/containers/policy.json).
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Which containers/image behaviour to reproduce: 5.23 (Debian 12's skopeo/podman) or
    /// current.
    #[arg(long, global = true, value_name = "VERSION", default_value = "current", value_parser = parse_compat)]
    pub compat: Compat,

    /// Treat DIR as the filesystem root for system paths (/etc/containers/...).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

fn parse_compat(s: &str) -> Result<Compat, String> {
    s.parse()
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that a policy file loads exactly as containers/image would load it.
    ///
    /// Exit status: 0 when the policy loads, 2 when containers/image would refuse it (the error
    /// is printed with c/image's message, the file, line and column).
    Lint(LintArgs),
    /// Show which scope of the policy applies to image references, and its requirements.
    ///
    /// REF uses containers-transports(5) syntax: docker://busybox, dir:/path, oci:/path:tag,
    /// containers-storage:busybox, ...
    Scope(ScopeArgs),
    /// Would containers/image (podman, skopeo, CRI-O) accept these local images? And why.
    ///
    /// Evaluates the trust policy offline against images in local storage
    /// (containers-storage:, dir:, oci:, oci-archive:, docker-archive:) with their sigstore
    /// signatures. Exit status: 0 all accepted, 1 some rejected, 2 error (bad policy, bad
    /// reference, image missing, corrupt store).
    Check(CheckArgs),
    /// Install, list and remove cosign public keys that the policy trusts.
    Key(KeyArgs),
    /// The signatures, attestations and Sigstore bundles stored with local images.
    Sigs(SigsArgs),
    /// Verify the in-toto attestations (cosign attest) stored with local images.
    Attest(AttestArgs),
    /// Sign a local image with a cosign key, offline (sigstore signature).
    ///
    /// Signs the manifest podman evaluates (the platform instance of a list) with an encrypted
    /// cosign private key (cosign generate-key-pair, skopeo generate-sigstore-key, or
    /// `policyctl generate-key`), with the payload containers/image writes: the identity given
    /// with --identity (a reference with a tag or digest) or the image's own name, the
    /// manifest digest, creator and timestamp. The signature goes where the image lives:
    /// dir: gets the next signature-N (podman and skopeo read it), containers-storage: gets it
    /// as c/image stores signatures, under c/storage's own lock (podman reads it), oci: gets a
    /// layer in the cosign sha256-HEX.sig manifest (cosign verify --local-image reads it;
    /// podman does not). Writes are transactional. The passphrase comes from --passphrase-file, else
    /// $COSIGN_PASSWORD, else a prompt on the terminal.
    Sign(SignArgs),
    /// Write a new encrypted cosign key pair (ECDSA P-256), like skopeo generate-sigstore-key.
    ///
    /// PREFIX.private (mode 0600) holds the private key encrypted as cosign does (scrypt +
    /// NaCl secretbox, "ENCRYPTED SIGSTORE PRIVATE KEY"), PREFIX.pub (0644) the public key
    /// to put in policy.json. Existing files are never overwritten. The passphrase comes from
    /// --passphrase-file, else $COSIGN_PASSWORD, else a prompt (asked twice) on the terminal.
    GenerateKey(GenerateKeyArgs),
    /// Write the SBOM of a local image, taken from a verified attestation.
    ///
    /// The SBOM is the predicate of an SPDX or CycloneDX attestation stored with the image
    /// (cosign attest --type spdxjson|cyclonedx, kept in an OCI layout by `cosign save`),
    /// verified as `attest verify` does: DSSE signature over PAE by a trusted key, subject
    /// digest equal to the image's. The file is a re-serialisation of the authenticated
    /// statement's predicate (its hash differs from the file that was attested); the
    /// statement's SHA-256 is printed for audit. Unsigned `.sbom` attachments are used only
    /// with --allow-unsigned. Exit status: 0 written, 1 no verified SBOM, 2 error.
    Sbom(SbomArgs),
    /// Show or edit the trust policy like `podman image trust show|set`.
    Trust(TrustArgs),
    /// Write a safe starting policy.json: reject by default, local transports usable.
    ///
    /// Podman's build, load and import need images from containers-storage:, dir:, oci:,
    /// oci-archive:, docker-archive: and docker-daemon: to be accepted, so those transports get
    /// insecureAcceptAnything; registries get nothing (reject) until you add trust for them,
    /// e.g. with --armorred or `policyctl key install`.
    Init(InitArgs),
    /// Write the policy as Kubernetes admission policies (policy-controller, Kyverno, OpenShift).
    ///
    /// Translates the docker scopes of policy.json into sigstore policy-controller
    /// ClusterImagePolicy (v1beta1) documents plus its config-policy-controller ConfigMap, a
    /// Kyverno ImageValidatingPolicy (policies.kyverno.io/v1), or a Kyverno ClusterPolicy with
    /// verifyImages (deprecated since Kyverno 1.17), or OpenShift ClusterImagePolicy
    /// (config.openshift.io/v1, policy.json's own scopes). policy.json applies only the most specific
    /// scope; Kyverno can exclude nested scopes and so is exact, policy-controller ANDs every
    /// matching policy, so a general scope whose AND with nested scopes would be stricter is
    /// refused (X101). What cannot be expressed (GPG, PKI, signedIdentity, other transports...)
    /// fails closed and is reported with a code X101-X115 on standard error. YAML goes to
    /// standard output (or --output). Exit status: 0 faithful, 1 some loss (unless
    /// --allow-partial), 2 error.
    Export(ExportArgs),
    /// Turn Kubernetes image policies back into policy.json, registries.d and key files.
    ///
    /// Reads ClusterImagePolicy, config-policy-controller ConfigMap, Kyverno ClusterPolicy and
    /// ImageValidatingPolicy documents; every image pattern becomes the docker scope it denotes
    /// and gets what the cluster (all given documents, all engines together) requires for an
    /// image of that scope. Keys are written to /etc/pki/cosign/NAME.pub, registries.d/NAME.yaml
    /// enables use-sigstore-attachments, and the scopes are set in policy.json (created like
    /// `policyctl init` when missing), all in one transaction with backups. Losses (I201-I216)
    /// are printed; with any, nothing is written unless --allow-partial. Exit status: 0
    /// written (or faithful dry run), 1 losses, 2 error.
    Import(ImportArgs),
    /// Compare the host policy with Kubernetes image policies, or check them offline.
    K8s(K8sArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Show every candidate location of policy.json, registries.d and storage.conf, which one
    /// is in effect, and which shadow which.
    Where(WhereArgs),
}

/// Export targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    /// sigstore policy-controller ClusterImagePolicy (v1beta1) + ConfigMap.
    PolicyController,
    /// Kyverno ImageValidatingPolicy (policies.kyverno.io/v1).
    Kyverno,
    /// Kyverno ClusterPolicy verifyImages (kyverno.io/v1; deprecated in Kyverno 1.17).
    KyvernoClusterpolicy,
    /// OpenShift ClusterImagePolicy (config.openshift.io/v1; CRI-O nodes).
    Openshift,
}

/// How exported documents carry keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyRefsArg {
    /// The PEM inline.
    Inline,
    /// Secrets (emitted as documents) referenced by name.
    Secret,
}

/// `policyctl export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The admission controller to write for.
    #[arg(long, value_enum)]
    pub to: ExportTarget,
    /// Export only this docker scope (repeatable); the default is not exported then.
    #[arg(long, value_name = "SCOPE")]
    pub scope: Vec<String>,
    /// Exit 0 even when the translation is not faithful (warnings are still printed).
    #[arg(long)]
    pub allow_partial: bool,
    /// policy-controller: emit general scopes even where ANDing them with nested scopes is
    /// stricter than policy.json (nested images must satisfy both).
    #[arg(long)]
    pub allow_stricter: bool,
    /// Inline the keys, or reference Secrets (written as documents too).
    #[arg(long, value_enum, default_value = "inline")]
    pub keys: KeyRefsArg,
    /// Namespace of the key Secrets (policy-controller reads only its own).
    #[arg(long, value_name = "NS", default_value = "cosign-system")]
    pub secret_namespace: String,
    /// The images are signed with cosign v3 bundles (cannot be seen offline): warn (X105).
    #[arg(long)]
    pub bundles: bool,
    /// Write the YAML to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print JSON: documents and warnings (its JSON Schema: schemas/export.schema.json).
    #[arg(long)]
    pub json: bool,
}

/// What an import's policy.json default is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportDefault {
    /// reject, unless the cluster's no-match-policy is allow.
    Reject,
    /// Whatever the cluster does with images no policy matches (Kyverno: admit).
    Cluster,
}

/// `policyctl import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// YAML files with the cluster documents (several documents per file are fine).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The policy.json default.
    #[arg(long, value_enum, default_value = "reject")]
    pub default: ImportDefault,
    /// Put keys inline (keyData) instead of writing /etc/pki/cosign/NAME.pub files.
    #[arg(long)]
    pub inline_keys: bool,
    /// A local public key (PEM file) for a key the documents hold in a Secret or KMS:
    /// NAME is the Secret's name or the KMS URI (repeatable).
    #[arg(long = "key", value_name = "NAME=PATH")]
    pub keys: Vec<String>,
    /// The Fulcio CA certificates (PEM) for keyless identities (with --rekor-key); the path is
    /// written into policy.json as caPath.
    #[arg(long, value_name = "FILE")]
    pub fulcio_ca: Option<PathBuf>,
    /// The Rekor public key for keyless identities (with --fulcio-ca), written as
    /// rekorPublicKeyPath.
    #[arg(long, value_name = "FILE")]
    pub rekor_key: Option<PathBuf>,
    /// Write even when the translation is not faithful.
    #[arg(long)]
    pub allow_partial: bool,
    /// Patterns with no exact scope (`ghcr.io/*/app`, `repo:v1.*`) become their nearest
    /// enclosing scope (which covers more images; I202 says which).
    #[arg(long)]
    pub approximate: bool,
    /// Replace different existing scopes, key files or registries.d entries.
    #[arg(long)]
    pub force: bool,
    /// Print the changes that would be made, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `policyctl k8s`.
#[derive(Debug, Args)]
pub struct K8sArgs {
    #[command(subcommand)]
    pub command: K8sCommand,
}

/// `policyctl k8s` subcommands.
#[derive(Debug, Subcommand)]
pub enum K8sCommand {
    /// Do policy.json and the cluster documents decide the same for every image pattern?
    ///
    /// Probe images are derived from every policy.json docker scope, every pattern of the
    /// documents and the spellings Kubernetes sees (busybox, docker.io/library/busybox,
    /// repo:tag@digest...). For each, the host's requirements (most specific scope) are
    /// compared with the cluster's (every matching policy, each engine with its own pattern
    /// language). Exit status: 0 agree, 1 drift (a table of the differences), 2 error.
    Diff(K8sDiffArgs),
    /// Check documents against the admission webhooks' own rules, offline.
    ///
    /// policy-controller's ClusterImagePolicy validation (globs, exactly one of
    /// key/keyless/static, key data, hash algorithms, identities...) and Kyverno's
    /// verifyImages/ImageValidatingPolicy rules. Exit status: 0 valid, 1 findings, 2 error.
    Validate(K8sValidateArgs),
}

/// `policyctl k8s diff`.
#[derive(Debug, Args)]
pub struct K8sDiffArgs {
    /// YAML files with the cluster documents.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// List every probe, not only those that differ.
    #[arg(long)]
    pub all: bool,
    /// Print JSON (its JSON Schema: schemas/k8s-diff.schema.json).
    #[arg(long)]
    pub json: bool,
}

/// `policyctl k8s validate`.
#[derive(Debug, Args)]
pub struct K8sValidateArgs {
    /// YAML files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `policyctl where`.
#[derive(Debug, Args)]
pub struct WhereArgs {
    /// Print JSON (its JSON Schema: schemas/where.schema.json).
    #[arg(long)]
    pub json: bool,
}

/// `policyctl init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Also install the built-in ARMORRED key and require it for ghcr.io/armorred.
    #[arg(long)]
    pub armorred: bool,
    /// Replace an existing policy.json (a .bak of it is kept).
    #[arg(long)]
    pub force: bool,
    /// Print the changes that would be made, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `policyctl completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `policyctl trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    #[command(subcommand)]
    pub command: TrustCommand,
}

/// `policyctl trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Show the policy as `podman image trust show` does (table, --json or --raw).
    Show(TrustShowArgs),
    /// Set the requirements of a scope as `podman image trust set` does.
    Set(TrustSetArgs),
}

/// `policyctl trust show`.
#[derive(Debug, Args)]
pub struct TrustShowArgs {
    /// Print JSON as podman does (its JSON Schema: schemas/trust-show.schema.json).
    #[arg(long, short)]
    pub json: bool,
    /// Print the policy file as it is.
    #[arg(long)]
    pub raw: bool,
    /// Do not print the header row.
    #[arg(long, short)]
    pub noheading: bool,
    /// The policy file (podman's --policypath); default: the policy in effect.
    #[arg(long, value_name = "FILE")]
    pub policypath: Option<PathBuf>,
    /// The registries.d directory for the STORE column (podman's hidden --registrypath).
    #[arg(long, value_name = "DIR", hide = true)]
    pub registrypath: Option<PathBuf>,
    /// Accepted and ignored, as by podman.
    pub registry: Option<String>,
}

/// Requirement types of `trust set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrustType {
    /// insecureAcceptAnything.
    Accept,
    /// insecureAcceptAnything.
    #[value(name = "insecureAcceptAnything")]
    InsecureAcceptAnything,
    /// reject.
    Reject,
    /// signedBy (GPG keys).
    #[value(name = "signedBy")]
    SignedBy,
    /// sigstoreSigned (cosign keys).
    #[value(name = "sigstoreSigned")]
    SigstoreSigned,
}

/// `policyctl trust set`.
#[derive(Debug, Args)]
pub struct TrustSetArgs {
    /// The scope (a registry, repository or `default`).
    pub scope: String,
    /// The requirement type.
    #[arg(long, short = 't', value_enum, default_value = "signedBy")]
    pub r#type: TrustType,
    /// A public key file (repeatable; each becomes one requirement, all must be satisfied).
    #[arg(long = "pubkeysfile", short = 'f', value_name = "PATH")]
    pub pubkeysfile: Vec<String>,
    /// The policy file to edit (podman's --policypath); default: /etc/containers/policy.json.
    #[arg(long, value_name = "FILE")]
    pub policypath: Option<PathBuf>,
    /// signedIdentity for signedBy/sigstoreSigned (podman cannot set it): matchRepository,
    /// matchExact, matchRepoDigestOrExact, or exactRepository:REPO / exactReference:REF.
    #[arg(long, value_name = "IDENTITY")]
    pub signed_identity: Option<String>,
    /// Follow symlinks / accept open directories.
    #[arg(long)]
    pub force: bool,
    /// Print the changes that would be made, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `policyctl sigs`.
#[derive(Debug, Args)]
pub struct SigsArgs {
    #[command(subcommand)]
    pub command: SigsCommand,
}

/// `policyctl sigs` subcommands.
#[derive(Debug, Subcommand)]
pub enum SigsCommand {
    /// List every signature-like object stored with local images, and whether podman reads it.
    ///
    /// Reads, offline and without verifying anything: the signatures containers/image itself
    /// reads (dir: signature-N files, containers-storage: signature items, and for images with a
    /// Docker name the lookaside directory a pull of that name reads), and what cosign leaves in
    /// OCI layouts (oci:, oci-archive:): sha256-HEX.sig/.att/.sbom tags, `cosign save` entries
    /// and OCI 1.1 referrers such as cosign 3's Sigstore bundles. For each: its kind, who it
    /// claims signed it, the identity and digest or the attestation's predicate type and
    /// subject, where it lives, and whether podman, skopeo and CRI-O read it — with the fix when
    /// they do not. Exit status: 0 listed, 2 some image could not be read.
    List(SigsListArgs),
    /// Copy the signatures of an image to the same image in another local store.
    ///
    /// SRC and DST must hold the same manifest (the evaluated platform instance). Copied are
    /// the signatures containers/image reads from SRC and, from OCI layouts, cosign's
    /// signature attachments. Into dir: and containers-storage: they are stored exactly as a
    /// pull with use-sigstore-attachments stores them (containers-storage: under c/storage's
    /// own lock, so a running podman sees a consistent store); into oci: layouts they become
    /// layers of cosign's .sig manifest (`cosign verify --local-image` reads them from a
    /// `cosign save` layout). Bytes are preserved and a signature already there is not copied
    /// again. Writes are transactional.
    Copy(SigsCopyArgs),
    /// Remove signatures stored with a local image (dir: signature-N files, containers-storage:
    /// signature items, or layers of the cosign .sig manifest in an OCI layout), transactionally.
    ///
    /// N is the number `sigs list` shows in the location (signature-N, layer N). In dir: the
    /// later signatures move down so that containers/image, which stops at the first missing
    /// number, still reads them; removed and moved files keep a .bak copy.
    Rm(SigsRmArgs),
    /// Verify every cosign signature stored with a local image, wherever it is stored.
    ///
    /// Unlike `check`, which answers what podman decides, this checks each stored cosign
    /// signature on its own — also those podman does not read (OCI layouts): the signature
    /// with the trusted keys (--key), or with every trust root of the policy's sigstoreSigned
    /// requirements for the image's scope or for --policy-for (keys, Rekor, Fulcio, PKI), then
    /// whether its signed digest is the image's. The signed identity is shown, not judged
    /// (that is the policy's signedIdentity; see `check`).
    /// Exit status: 0 some signature verified for this image, 1 none, 2 error.
    Verify(SigsVerifyArgs),
    /// Show the decoded content of stored signatures, attestations and bundles (unverified).
    ///
    /// For each entry of `sigs list` (or only entry N): the payload as JSON, the annotations
    /// (certificates described, Rekor bundles pretty-printed), DSSE statements decoded,
    /// OpenPGP signer key IDs. Nothing here is verified.
    Inspect(SigsInspectArgs),
}

/// `policyctl sigs inspect`.
#[derive(Debug, Args)]
pub struct SigsInspectArgs {
    /// Only entry N of `sigs list` (1-based).
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,

    /// The image (containers-transports(5) syntax).
    #[arg(value_name = "REF")]
    pub reference: String,
}

/// `policyctl sigs verify`.
#[derive(Debug, Args)]
pub struct SigsVerifyArgs {
    #[command(flatten)]
    pub trusted: TrustedKeys,

    /// The image (containers-transports(5) syntax).
    #[arg(value_name = "REF")]
    pub reference: String,
}

/// `policyctl sigs rm`.
#[derive(Debug, Args)]
pub struct SigsRmArgs {
    /// Remove signature N (as in signature-N or layer N).
    #[arg(
        long,
        value_name = "N",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub index: Option<usize>,

    /// Remove every signature of the image.
    #[arg(long)]
    pub all: bool,

    /// Say what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// The image: dir:PATH, oci:PATH[:REF] or containers-storage:NAME.
    #[arg(value_name = "REF")]
    pub reference: String,
}

/// `policyctl sigs copy`.
#[derive(Debug, Args)]
pub struct SigsCopyArgs {
    /// Say what would be copied, write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Where the signatures are (any local transport).
    #[arg(value_name = "SRC")]
    pub source: String,

    /// The same image elsewhere: dir:PATH, oci:PATH[:REF] or containers-storage:NAME.
    #[arg(value_name = "DST")]
    pub destination: String,
}

/// `policyctl sigs list`.
#[derive(Debug, Args)]
pub struct SigsListArgs {
    /// Print one JSON object on stdout (its JSON Schema: schemas/sigs-list.schema.json).
    #[arg(long)]
    pub json: bool,

    /// Choose list instances for this OS instead of the host's (like skopeo --override-os).
    #[arg(long = "os", value_name = "OS")]
    pub os: Option<String>,

    /// Choose list instances for this architecture (like skopeo --override-arch).
    #[arg(long = "arch", value_name = "ARCH")]
    pub arch: Option<String>,

    /// Choose list instances for this variant (like skopeo --override-variant).
    #[arg(long = "variant", value_name = "VARIANT")]
    pub variant: Option<String>,

    /// Image references in containers-transports(5) syntax.
    #[arg(value_name = "REF", required = true)]
    pub references: Vec<String>,
}

/// `policyctl sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The encrypted cosign private key.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,

    /// The identity to sign (a reference with a tag or digest). Default: the image's own name
    /// (containers-storage:); dir: and oci: images have none, so it is required there.
    #[arg(long, value_name = "REF")]
    pub identity: Option<String>,

    /// Read the passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// For a multi-architecture image: sign every platform instance stored with it and the
    /// list itself (default: only the instance podman evaluates on this host).
    #[arg(long)]
    pub all: bool,

    /// Say what would be written, write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// The image (dir:PATH, oci:PATH[:REF] or containers-storage:NAME).
    #[arg(value_name = "REF")]
    pub reference: String,
}

/// `policyctl generate-key`.
#[derive(Debug, Args)]
pub struct GenerateKeyArgs {
    /// Write PREFIX.private and PREFIX.pub.
    #[arg(long, value_name = "PREFIX")]
    pub output_prefix: PathBuf,

    /// Write the older format ("ENCRYPTED COSIGN PRIVATE KEY", scrypt N = 32768) that cosign
    /// <= 2.0.0 and containers/image < 5.28 (podman < 4.8) also read.
    #[arg(long)]
    pub legacy_format: bool,

    /// Read the passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

/// Which keys attestations must be signed with.
#[derive(Debug, Args)]
pub struct TrustedKeys {
    /// A trusted public key (PEM; repeat for several). Default: the keys of the sigstoreSigned
    /// requirements of the policy's scope for the image (or for --policy-for).
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,

    /// Take the keys from the policy's scope for this reference instead of the image's own,
    /// e.g. docker://ghcr.io/armorred/app for an image saved into an OCI layout.
    #[arg(long, value_name = "REF", conflicts_with = "keys")]
    pub policy_for: Option<String>,

    /// Keyless (Fulcio) bundles: the Fulcio CA certificates (PEM: root and intermediates) their
    /// certificates must chain to, at the time Rekor logged them. Default: the policy's
    /// `fulcio` requirement for the scope (CA, OIDC issuer, e-mail and Rekor keys).
    #[arg(long, value_name = "FILE", requires = "rekor_keys")]
    pub fulcio_ca: Option<PathBuf>,

    /// Keyless bundles: a Rekor public key whose signed entry timestamp they must carry
    /// (repeat for several).
    #[arg(long = "rekor-key", value_name = "FILE", requires = "fulcio_ca")]
    pub rekor_keys: Vec<PathBuf>,

    /// Keyless bundles: the OIDC issuer their certificate must name.
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,

    /// Keyless bundles: an e-mail their certificate must name.
    #[arg(long, value_name = "EMAIL")]
    pub certificate_email: Option<String>,
}

/// `policyctl attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub command: AttestCommand,
}

/// `policyctl attest` subcommands.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Verify the attestations stored with a local image, offline.
    ///
    /// Candidates are the DSSE layers of cosign's .att attachments and the DSSE content of
    /// Sigstore bundles stored with the image (see `sigs list`). One is verified when its
    /// payload type is in-toto, a signature over the DSSE pre-authentication encoding verifies
    /// with a trusted key, its statement has a subject whose sha256 is the image's (the
    /// evaluated platform instance, or the list), and its predicate type is the one asked
    /// for. Exit status: 0 at least one verified, 1 none, 2 error.
    Verify(AttestVerifyArgs),
}

/// `policyctl attest verify`.
#[derive(Debug, Args)]
pub struct AttestVerifyArgs {
    /// Only attestations of this predicate type: a URI or a cosign --type shorthand
    /// (spdxjson, cyclonedx, slsaprovenance1, vuln, openvex, custom, ...).
    #[arg(long = "type", value_name = "TYPE")]
    pub predicate_type: Option<String>,

    #[command(flatten)]
    pub trusted: TrustedKeys,

    /// Print one JSON object on stdout (its JSON Schema: schemas/attest-verify.schema.json).
    #[arg(long)]
    pub json: bool,

    /// The image (containers-transports(5) syntax), e.g. oci:/srv/app.
    #[arg(value_name = "REF")]
    pub reference: String,
}

/// `policyctl sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The SBOM format: spdxjson (also spdx), cyclonedx, or a predicate type URI. Default:
    /// the first verified SPDX or CycloneDX attestation.
    #[arg(long = "type", value_name = "TYPE")]
    pub predicate_type: Option<String>,

    #[command(flatten)]
    pub trusted: TrustedKeys,

    /// Write the SBOM to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use an unsigned .sbom attachment when no verified attestation exists (nothing vouches
    /// for it; a warning says so).
    #[arg(long)]
    pub allow_unsigned: bool,

    /// The image (containers-transports(5) syntax), e.g. oci:/srv/app.
    #[arg(value_name = "REF")]
    pub reference: String,
}

/// `policyctl key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// `policyctl key` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Install a cosign public key and require it for a registry scope.
    ///
    /// `policyctl key install armorred` installs the ARMORRED project's key built into policyctl
    /// (pinned: sha256:d8bace5c57478ad74365ffca61608def78975da0026c2c1d9bef217bb032b486, the
    /// SHA-256 of its DER SubjectPublicKeyInfo) at /etc/pki/cosign/armorred.pub, adds a
    /// sigstoreSigned requirement with signedIdentity matchRepository for ghcr.io/armorred to
    /// policy.json, and writes registries.d/armorred.yaml with use-sigstore-attachments: true.
    /// Every write is transactional (temporary file, fsync, rename, .bak of the old file).
    Install(KeyInstallArgs),
    /// List installed keys, their fingerprints and the policy scopes that use them.
    List(KeyListArgs),
    /// Undo `key install NAME`: remove its policy entry, registries.d file and key file.
    Remove(KeyRemoveArgs),
}

/// `policyctl key install`.
#[derive(Debug, Args)]
pub struct KeyInstallArgs {
    /// Key name: the file becomes /etc/pki/cosign/NAME.pub (`armorred`: the built-in key).
    pub name: String,
    /// Read the public key from FILE (`-`: standard input) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub from: Option<String>,
    /// The docker registry scope to protect (e.g. ghcr.io/example); required with --from.
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Do not edit policy.json.
    #[arg(long)]
    pub no_policy: bool,
    /// Do not write registries.d/NAME.yaml.
    #[arg(long)]
    pub no_registries_d: bool,
    /// Replace a different existing key or entry, follow symlinks, accept open directories.
    #[arg(long)]
    pub force: bool,
    /// Print the changes that would be made, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `policyctl key list`.
#[derive(Debug, Args)]
pub struct KeyListArgs {
    /// Print JSON (its JSON Schema: schemas/key-list.schema.json).
    #[arg(long)]
    pub json: bool,
}

/// `policyctl key remove`.
#[derive(Debug, Args)]
pub struct KeyRemoveArgs {
    /// The key name given to `key install`.
    pub name: String,
    /// The scope it was installed for (default: every docker scope written for it).
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Print the changes that would be made, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable diagnostics with the offending source line (the first 200; a last line
    /// counts the others).
    Human,
    /// One JSON object on stdout (its JSON Schema: schemas/lint.schema.json).
    Json,
    /// SARIF 2.1.0 (for CI code-scanning integrations).
    Sarif,
}

/// `policyctl lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Print the documentation of a rule (code like P009 or name like sigstore-default-identity).
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// Treat findings of this severity as errors (exit 1): `warnings`.
    #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
    pub deny: Vec<String>,
    /// The registries.d directory to check against (default: the one c/image uses).
    #[arg(long = "registries-d", value_name = "DIR")]
    pub registries_d: Option<PathBuf>,
    /// The registries.conf whose mirrors are checked (default: $HOME/.config/containers/
    /// registries.conf if it exists, else /etc/containers/registries.conf).
    #[arg(long = "registries-conf", value_name = "FILE")]
    pub registries_conf: Option<PathBuf>,
    /// Do not read key files or registries.d (policy rules only).
    #[arg(long)]
    pub no_files: bool,
    /// Treat an insecure fallback (P008: signatures required somewhere, default accepts
    /// anything) as an error.
    #[arg(long)]
    pub require_signed: bool,
    /// Apply the machine-applicable fixes (P002, P005, P009) to the policy file,
    /// transactionally (validated, .bak kept), then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Report fields this containers/image version would refuse: 5.23, 5.29, 5.33, current, or
    /// auto (the oldest of the installed podman and skopeo).
    #[arg(long, value_name = "VERSION", value_parser = ["5.23", "5.29", "5.33", "current", "auto"])]
    pub target_version: Option<String>,
}

/// `policyctl scope`.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// Print one JSON object on stdout instead of text (its JSON Schema:
    /// schemas/scope.schema.json).
    #[arg(long)]
    pub json: bool,

    /// Image references in containers-transports(5) syntax.
    #[arg(required = true, value_name = "REF")]
    pub references: Vec<String>,
}

/// `policyctl check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print one JSON object on stdout (its JSON Schema: schemas/check.schema.json; with
    /// --all: schemas/check-all.schema.json).
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,

    /// Print nothing; only the exit status tells the verdict.
    #[arg(long, short)]
    pub quiet: bool,

    /// Check every image (every name of every image) in the containers-storage store.
    #[arg(long, conflicts_with = "references")]
    pub all: bool,

    /// With --all: the store to check, as [DRIVER@GRAPHROOT+RUNROOT] (default: storage.conf).
    #[arg(long, value_name = "SPEC", requires = "all")]
    pub storage: Option<String>,

    /// Choose list instances for this OS instead of the host's (like skopeo --override-os).
    #[arg(long = "os", value_name = "OS")]
    pub os: Option<String>,

    /// Choose list instances for this architecture (like skopeo --override-arch).
    #[arg(long = "arch", value_name = "ARCH")]
    pub arch: Option<String>,

    /// Choose list instances for this variant (like skopeo --override-variant).
    #[arg(long = "variant", value_name = "VARIANT")]
    pub variant: Option<String>,

    /// Also read cosign's sha256-<hex>.sig attachments in OCI layouts (podman does not).
    #[arg(long)]
    pub oci_attachments: bool,

    /// Judge a local image as `podman pull docker://NAME` would (the docker transport's scopes),
    /// using the manifest and signatures stored with it.
    #[arg(long)]
    pub as_pulled: bool,

    /// Parallel workers for --all (default: number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Image references in containers-transports(5) syntax.
    #[arg(value_name = "REF", required_unless_present = "all")]
    pub references: Vec<String>,
}
