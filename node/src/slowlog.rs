//! The slow log (SLOWLOG) and the latency monitor (LATENCY), fed after every command.

use std::collections::VecDeque;

use bytes::Bytes;

/// Arguments kept per entry; the last slot then says how many more there were.
const MAX_ARGS: usize = 32;
/// Bytes kept per argument; the rest is summarised.
const MAX_ARG_BYTES: usize = 128;
/// Samples kept per latency event (Redis's `LATENCY_TS_LEN`).
const LATENCY_SAMPLES: usize = 160;

#[derive(Debug, Clone)]
pub struct SlowLogEntry {
    pub id: u64,
    /// Unix seconds when the command ran.
    pub time: u64,
    pub duration_us: u64,
    pub args: Vec<Bytes>,
    /// `ip:port` of the client.
    pub peer: String,
    pub client_name: Bytes,
}

#[derive(Debug, Default)]
pub struct SlowLog {
    /// Newest first.
    entries: VecDeque<SlowLogEntry>,
    next_id: u64,
}

impl SlowLog {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Newest first.
    pub fn entries(&self) -> impl Iterator<Item = &SlowLogEntry> {
        self.entries.iter()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Log a command that took `duration_us` if the configuration asks for it.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        slower_than_us: i64,
        max_len: usize,
        args: &[Bytes],
        duration_us: u64,
        now_ms: u64,
        peer: String,
        client_name: Bytes,
    ) {
        if slower_than_us < 0 || duration_us < slower_than_us as u64 {
            return;
        }
        let entry = SlowLogEntry {
            id: self.next_id,
            time: now_ms / 1000,
            duration_us,
            args: summarize_args(args),
            peer,
            client_name,
        };
        self.next_id += 1;
        self.entries.push_front(entry);
        self.entries.truncate(max_len);
    }
}

/// At most 32 arguments of at most 128 bytes each, with Redis's markers for what was cut.
/// Secrets (AUTH, HELLO AUTH, CONFIG SET of sensitive directives) are shown as `(redacted)`.
fn summarize_args(args: &[Bytes]) -> Vec<Bytes> {
    let redacted = redacted_positions(args);
    let kept = args.len().min(MAX_ARGS);
    (0..kept)
        .map(|j| {
            if kept != args.len() && j == kept - 1 {
                return Bytes::from(format!("... ({} more arguments)", args.len() - kept + 1));
            }
            if redacted.contains(&j) {
                return Bytes::from_static(b"(redacted)");
            }
            let arg = &args[j];
            if arg.len() > MAX_ARG_BYTES {
                let mut cut = arg[..MAX_ARG_BYTES].to_vec();
                cut.extend_from_slice(
                    format!("... ({} more bytes)", arg.len() - MAX_ARG_BYTES).as_bytes(),
                );
                return Bytes::from(cut);
            }
            arg.clone()
        })
        .collect()
}

fn redacted_positions(args: &[Bytes]) -> Vec<usize> {
    let Some(name) = args.first() else {
        return Vec::new();
    };
    let is = |a: &Bytes, w: &str| a.eq_ignore_ascii_case(w.as_bytes());
    if is(name, "auth") {
        return (1..args.len()).collect();
    }
    if is(name, "hello") {
        let mut out = Vec::new();
        let mut i = 2;
        while i < args.len() {
            if is(&args[i], "auth") && i + 2 < args.len() {
                out.extend([i + 1, i + 2]);
                i += 3;
            } else {
                i += 1;
            }
        }
        return out;
    }
    if is(name, "config") && args.len() > 1 && is(&args[1], "set") {
        return (2..args.len())
            .step_by(2)
            .filter(|&i| {
                std::str::from_utf8(&args[i])
                    .ok()
                    .and_then(crate::config::lookup)
                    .is_some_and(|d| d.sensitive)
            })
            .map(|i| i + 1)
            .filter(|&i| i < args.len())
            .collect();
    }
    Vec::new()
}

// ---- latency monitor ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default)]
pub struct LatencySample {
    /// Unix seconds.
    pub time: u64,
    pub latency_ms: u64,
}

#[derive(Debug)]
pub struct LatencySeries {
    samples: Vec<LatencySample>,
    /// Next slot to write in the ring.
    next: usize,
    pub max_ms: u64,
}

impl LatencySeries {
    pub fn latest(&self) -> LatencySample {
        self.samples[(self.next + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES]
    }
}

#[derive(Debug, Default)]
pub struct LatencyMonitor {
    /// Event name -> series, in order of first occurrence.
    events: Vec<(&'static str, LatencySeries)>,
}

impl LatencyMonitor {
    /// Record `latency_ms` for `event` if it reaches `threshold_ms` (0 disables).
    pub fn add_if_needed(
        &mut self,
        threshold_ms: u64,
        event: &'static str,
        latency_ms: u64,
        now_ms: u64,
    ) {
        if threshold_ms == 0 || latency_ms < threshold_ms {
            return;
        }
        self.add(event, latency_ms, now_ms / 1000);
    }

    /// Redis's `latencyAddSample`: one sample per second per event, keeping the highest.
    pub fn add(&mut self, event: &'static str, latency_ms: u64, now_secs: u64) {
        let index = match self.events.iter().position(|(name, _)| *name == event) {
            Some(i) => i,
            None => {
                self.events.push((
                    event,
                    LatencySeries {
                        samples: vec![LatencySample::default(); LATENCY_SAMPLES],
                        next: 0,
                        max_ms: 0,
                    },
                ));
                self.events.len() - 1
            }
        };
        let series = &mut self.events[index].1;
        series.max_ms = series.max_ms.max(latency_ms);
        let prev = (series.next + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES;
        if series.samples[prev].time == now_secs {
            let sample = &mut series.samples[prev];
            sample.latency_ms = sample.latency_ms.max(latency_ms);
            return;
        }
        series.samples[series.next] = LatencySample {
            time: now_secs,
            latency_ms,
        };
        series.next = (series.next + 1) % LATENCY_SAMPLES;
    }

    pub fn events(&self) -> impl Iterator<Item = (&'static str, &LatencySeries)> {
        self.events.iter().map(|(n, s)| (*n, s))
    }

    /// Forget the named events (all with `None`); returns how many existed.
    pub fn reset(&mut self, names: Option<&[Bytes]>) -> usize {
        match names {
            None => {
                let n = self.events.len();
                self.events.clear();
                n
            }
            Some(names) => {
                let mut removed = 0;
                for name in names {
                    if let Some(i) = self
                        .events
                        .iter()
                        .position(|(e, _)| e.as_bytes() == &name[..])
                    {
                        self.events.remove(i);
                        removed += 1;
                    }
                }
                removed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::from(s.to_string())
    }

    #[test]
    fn slowlog_cuts_and_trims() {
        let mut log = SlowLog::default();
        let long = "x".repeat(200);
        let mut args = vec![b("set"), b("k"), b(&long)];
        log.record(0, 2, &args, 5, 10_000, "1.2.3.4:5".into(), Bytes::new());
        let e = log.entries().next().unwrap();
        assert_eq!(e.args[2].len(), 128 + "... (72 more bytes)".len());
        assert!(e.args[2].ends_with(b"... (72 more bytes)"));
        assert_eq!(e.time, 10);
        args = (0..40).map(|i| b(&i.to_string())).collect();
        log.record(0, 2, &args, 5, 0, String::new(), Bytes::new());
        let e = log.entries().next().unwrap();
        assert_eq!(e.args.len(), 32);
        assert_eq!(&e.args[31][..], b"... (9 more arguments)");
        assert_eq!(e.id, 1);
        log.record(0, 2, &args, 5, 0, String::new(), Bytes::new());
        assert_eq!(log.len(), 2);
        assert_eq!(log.entries().next().unwrap().id, 2);
        // Disabled / faster than the threshold.
        log.record(-1, 2, &args, 5, 0, String::new(), Bytes::new());
        log.record(10, 2, &args, 5, 0, String::new(), Bytes::new());
        assert_eq!(log.entries().next().unwrap().id, 2);
    }

    #[test]
    fn secrets_are_redacted() {
        let args = [b("AUTH"), b("user"), b("pw")];
        assert_eq!(
            summarize_args(&args)[1..],
            [b("(redacted)"), b("(redacted)")]
        );
        let args = [
            b("config"),
            b("set"),
            b("requirepass"),
            b("pw"),
            b("maxmemory"),
            b("1"),
        ];
        let out = summarize_args(&args);
        assert_eq!(out[3], b("(redacted)"));
        assert_eq!(out[5], b("1"));
        let args = [
            b("hello"),
            b("3"),
            b("auth"),
            b("u"),
            b("p"),
            b("setname"),
            b("n"),
        ];
        let out = summarize_args(&args);
        assert_eq!(out[3..5], [b("(redacted)"), b("(redacted)")]);
        assert_eq!(out[6], b("n"));
    }

    #[test]
    fn latency_keeps_max_per_second() {
        let mut m = LatencyMonitor::default();
        m.add_if_needed(0, "command", 50, 1000);
        assert_eq!(m.events().count(), 0);
        m.add_if_needed(10, "command", 5, 1000);
        assert_eq!(m.events().count(), 0);
        m.add("command", 20, 1);
        m.add("command", 30, 1);
        m.add("command", 10, 2);
        let (_, s) = m.events().next().unwrap();
        assert_eq!(s.latest().time, 2);
        assert_eq!(s.latest().latency_ms, 10);
        assert_eq!(s.max_ms, 30);
        assert_eq!(m.reset(Some(&[b("nosuch"), b("command")])), 1);
        assert_eq!(m.reset(None), 0);
    }
}
