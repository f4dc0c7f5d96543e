//! `policyctl check --all`: every name of every image in a containers-storage store, on all
//! cores, as a table and a summary.

use crate::cli::CheckArgs;
use crate::commands::Outcome;
use crate::error::Error;
use crate::image::storage::list_images;
use crate::reference::transport::ImageRef;
use crate::report::check::short_reason;
use crate::report::json::{CheckAllReport, CheckAllRow, StoreRef, Verdict, to_pretty};
use crate::report::out;
use crate::verdict::Checker;

/// Runs `check --all`.
pub fn run(args: &CheckArgs, checker: &Checker<'_>) -> Result<Outcome, Error> {
    let store_spec = match &args.storage {
        None => None,
        Some(text) => {
            match ImageRef::parse(&format!("containers-storage:{text}x"), checker.opts.compat) {
                Ok((_, ImageRef::Storage(s))) if s.store.is_some() && text.ends_with(']') => {
                    s.store
                }
                _ => {
                    return Err(Error::Usage(format!(
                        "--storage {text}: expected [DRIVER@GRAPHROOT+RUNROOT] or [GRAPHROOT]"
                    )));
                }
            }
        }
    };
    let (store, images) =
        list_images(&checker.opts, store_spec.as_ref()).map_err(|e| Error::Store(e.0))?;
    let spec = args
        .storage
        .clone()
        .unwrap_or_else(|| format!("[{}@{}]", store.driver, store.graph_root));
    let mut refs = Vec::new();
    for img in &images {
        if img.names.is_empty() {
            refs.push(format!("containers-storage:{spec}{}", img.id));
        }
        for n in &img.names {
            refs.push(format!("containers-storage:{spec}{n}"));
        }
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, 256);
    let results = parallel_check(checker, &refs, jobs);
    let (mut accepted, mut rejected, mut errors) = (0, 0, 0);
    let mut table = String::new();
    if !args.quiet && !args.json {
        table.push_str("IMAGE\tVERDICT\tREASON\n");
    }
    let mut json_items = Vec::new();
    for (reference, result) in &results {
        let (verdict, reason) = match result {
            Ok(None) => {
                accepted += 1;
                (Verdict::Accepted, String::new())
            }
            Ok(Some(why)) => {
                rejected += 1;
                (Verdict::Rejected, why.clone())
            }
            Err(e) => {
                errors += 1;
                (Verdict::Error, e.clone())
            }
        };
        if args.json {
            json_items.push(CheckAllRow {
                reason,
                reference: reference.clone(),
                verdict,
            });
        } else if !args.quiet {
            let verdict = match verdict {
                Verdict::Accepted => "accepted",
                Verdict::Rejected => "rejected",
                Verdict::Error => "error",
            };
            table.push_str(&format!("{reference}\t{verdict}\t{reason}\n"));
        }
    }
    let summary = format!(
        "{} image name(s) in [{}@{}]: {accepted} accepted, {rejected} rejected, {errors} error(s)\n",
        results.len(),
        store.driver,
        store.graph_root
    );
    if args.json {
        out(&to_pretty(&CheckAllReport {
            accepted,
            errors,
            rejected,
            results: json_items,
            store: StoreRef {
                driver: store.driver.clone(),
                graph_root: store.graph_root.clone(),
            },
        }));
    } else if !args.quiet {
        out(&table);
        out(&summary);
    }
    Ok(if errors > 0 {
        Outcome::ErrorReported
    } else if rejected > 0 {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}

/// One image's outcome, kept small so memory stays flat in N: `Ok(None)` accepted,
/// `Ok(Some(reason))` rejected, `Err(error)`.
type Summary = (String, Result<Option<String>, String>);

fn summarize(checker: &Checker<'_>, reference: &str) -> Summary {
    let c = checker.check(reference);
    let r = match &c.result {
        Ok(j) if j.evaluation.allowed => Ok(None),
        Ok(j) => Ok(Some(short_reason(j))),
        Err(e) => Err(e.clone()),
    };
    (c.reference, r)
}

/// Checks `refs` on `jobs` threads; results keep the input order.
fn parallel_check(checker: &Checker<'_>, refs: &[String], jobs: usize) -> Vec<Summary> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Summary>> = (0..refs.len()).map(|_| None).collect();
    let chunks: Vec<Vec<(usize, Summary)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs.min(refs.len().max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(r) = refs.get(i) else { break };
                        mine.push((i, summarize(checker, r)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for chunk in chunks {
        for (i, c) in chunk {
            slots[i] = Some(c);
        }
    }
    slots
        .into_iter()
        .zip(refs)
        .map(|(s, r)| s.unwrap_or_else(|| (r.clone(), Err("internal error: worker failed".into()))))
        .collect()
}
