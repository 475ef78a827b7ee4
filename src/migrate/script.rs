//! A migration script: steps (each one transaction, or none when a statement cannot run inside
//! one), made of commented phases of SQL statements. Renders to text, whole or step by step.

use std::fmt::Write;

/// One statement to run forward and, when it has one, the statement that undoes it.
#[derive(Debug, Clone)]
pub(super) struct Change {
    pub forward: String,
    pub backward: Option<String>,
}

impl Change {
    pub fn new(forward: impl Into<String>, backward: impl Into<String>) -> Change {
        Change { forward: forward.into(), backward: Some(backward.into()) }
    }

    /// A statement with nothing to undo (a check, a `call`).
    pub fn only(forward: impl Into<String>) -> Change {
        Change { forward: forward.into(), backward: None }
    }

    /// The change that undoes this one (and is undone by it).
    pub fn inverse(&self) -> Option<Change> {
        Some(Change { forward: self.backward.clone()?, backward: Some(self.forward.clone()) })
    }
}

/// A commented group of statements.
#[derive(Debug, Clone)]
pub(super) struct Phase {
    pub title: String,
    /// Comment lines under the title: why, and what to watch.
    pub notes: Vec<String>,
    pub statements: Vec<String>,
}

impl Phase {
    pub fn new(title: impl Into<String>) -> Phase {
        Phase { title: title.into(), notes: Vec::new(), statements: Vec::new() }
    }

    pub fn note(mut self, note: impl Into<String>) -> Phase {
        self.notes.push(note.into());
        self
    }

    pub fn with(mut self, statements: impl IntoIterator<Item = String>) -> Phase {
        self.statements.extend(statements);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

/// Phases whose statements undo each other: the forward phase, and the undo phase that runs
/// them backward in reverse order.
pub(super) fn forward_and_undo(title: &str, changes: &[Change]) -> (Phase, Phase) {
    let forward = Phase::new(title).with(changes.iter().map(|c| c.forward.clone()));
    let undo = Phase::new(format!("Undo: {}", lowercase_first(title)))
        .with(changes.iter().rev().filter_map(|c| c.backward.clone()));
    (forward, undo)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// Statements that run together: in one transaction unless `transaction` is false.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub title: String,
    pub transaction: bool,
    pub notes: Vec<String>,
    pub phases: Vec<Phase>,
}

impl Step {
    pub fn new(title: impl Into<String>, transaction: bool) -> Step {
        Step { title: title.into(), transaction, notes: Vec::new(), phases: Vec::new() }
    }

    pub fn note(mut self, note: impl Into<String>) -> Step {
        self.notes.push(note.into());
        self
    }

    /// Adds a phase, unless it has no statement.
    pub fn phase(mut self, phase: Phase) -> Step {
        if !phase.is_empty() {
            self.phases.push(phase);
        }
        self
    }

    pub fn phases(self, phases: impl IntoIterator<Item = Phase>) -> Step {
        phases.into_iter().fold(self, Step::phase)
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Script {
    pub header: Vec<String>,
    pub steps: Vec<Step>,
}

impl Script {
    /// The whole script; steps are numbered when there are several, phases throughout.
    pub fn render(&self) -> String {
        let mut out = comment_block(&self.header);
        let mut phase_number = 0;
        let numbered = self.steps.len() > 1;
        for (i, step) in self.steps.iter().enumerate() {
            // Phases open with a blank line of their own.
            if numbered || step.transaction || !step.notes.is_empty() {
                out.push('\n');
            }
            if numbered {
                let _ = writeln!(out, "-- ==== Step {}: {} ====", i + 1, step.title);
            }
            out.push_str(&render_step(step, &mut phase_number));
        }
        out
    }

    /// Each step on its own, with the phase numbers it has in the whole script.
    pub fn render_steps(&self) -> Vec<(String, String)> {
        let mut phase_number = 0;
        self.steps.iter().map(|s| (s.title.clone(), render_step(s, &mut phase_number))).collect()
    }
}

fn render_step(step: &Step, phase_number: &mut usize) -> String {
    let mut out = comment_block(&step.notes);
    if step.transaction {
        out.push_str("begin;\n");
    }
    for phase in &step.phases {
        *phase_number += 1;
        let _ = writeln!(out, "\n-- Phase {}: {}", phase_number, phase.title);
        out.push_str(&comment_block(&phase.notes));
        for statement in &phase.statements {
            let _ = writeln!(out, "{};", statement.trim_end().trim_end_matches(';'));
        }
    }
    if step.transaction {
        out.push_str("\ncommit;\n");
    }
    out
}

fn comment_block(lines: &[String]) -> String {
    lines.iter().map(|l| if l.is_empty() { "--\n".to_owned() } else { format!("-- {l}\n") }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_runs_backward_in_reverse() {
        let changes = [Change::new("a1", "a0"), Change::only("check"), Change::new("b1", "b0")];
        let (forward, undo) = forward_and_undo("Rename tables", &changes);
        assert_eq!(forward.statements, ["a1", "check", "b1"]);
        assert_eq!(undo.title, "Undo: rename tables");
        assert_eq!(undo.statements, ["b0", "a0"]);
    }

    #[test]
    fn renders_numbered_steps_and_phases() {
        let script = Script {
            header: vec!["header".to_owned()],
            steps: vec![
                Step::new("one", true).phase(Phase::new("First").note("why").with(["select 1".to_owned()])),
                Step::new("two", false).phase(Phase::new("Second").with(["call p();".to_owned()])),
            ],
        };
        let text = script.render();
        assert_eq!(
            text,
            "-- header\n\n-- ==== Step 1: one ====\nbegin;\n\n-- Phase 1: First\n-- why\nselect 1;\n\ncommit;\n\n\
             -- ==== Step 2: two ====\n\n-- Phase 2: Second\ncall p();\n"
        );
    }
}
