// Package metrics polls clusters into a local SQLite history, answers
// history queries for the charts and evaluates alert rules. (Its
// implementation arrives with the monitoring work; the package exists so the
// layout and import rules hold from the start.)
package metrics
