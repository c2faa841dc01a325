//! Numeric CSV tables with a header row, read by column name (the NLSY79 table, the embedded
//! diabetes regression table). Errors name the column and the row.

use crate::{Error, Result};

/// A numeric table: named columns, rows of equal width.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name, for errors (a file name).
    pub name: String,
    /// The column names, from the header.
    pub columns: Vec<String>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<f64>>,
}

fn data_error(name: &str, reason: impl Into<String>) -> Error {
    Error::Data {
        name: name.into(),
        reason: reason.into(),
    }
}

impl Table {
    /// Parses comma-separated text: lines starting with `#` and blank lines are skipped, the
    /// first other line is the header, every later line a row of numbers. A cell that is not a
    /// finite number, or a row of another width, is an error naming the row (1-based, header
    /// excluded), its line and the column.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        let (_, header) = lines
            .next()
            .ok_or_else(|| data_error(name, "no header row (the file is empty)"))?;
        let columns: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
        if let Some(i) = columns.iter().position(String::is_empty) {
            return Err(data_error(
                name,
                format!("header column {} has no name", i + 1),
            ));
        }
        let mut rows = Vec::new();
        for (line, text) in lines {
            let row_no = rows.len() + 1;
            let cells: Vec<&str> = text.split(',').map(str::trim).collect();
            if cells.len() != columns.len() {
                return Err(data_error(
                    name,
                    format!(
                        "row {row_no} (line {line}) has {} cells, the header has {} columns",
                        cells.len(),
                        columns.len()
                    ),
                ));
            }
            let row = cells
                .iter()
                .zip(&columns)
                .map(|(cell, column)| match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(data_error(
                        name,
                        format!(
                            "row {row_no} (line {line}), column `{column}`: {cell:?} is not a \
                             finite number"
                        ),
                    )),
                })
                .collect::<Result<Vec<f64>>>()?;
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(data_error(name, "the table has a header but no rows"));
        }
        Ok(Self {
            name: name.into(),
            columns,
            rows,
        })
    }

    /// Reads and parses a CSV file.
    pub fn read(path: &std::path::Path) -> Result<Self> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| data_error(&name, format!("cannot read: {e}")))?;
        Self::parse(&name, &text)
    }

    /// The index of `column`, or an error listing the columns there are.
    pub fn column(&self, column: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c == column)
            .ok_or_else(|| {
                data_error(
                    &self.name,
                    format!(
                        "no column `{column}` (columns: {})",
                        self.columns.join(", ")
                    ),
                )
            })
    }

    /// The values of `column`.
    pub fn values(&self, column: &str) -> Result<Vec<f64>> {
        let j = self.column(column)?;
        Ok(self.rows.iter().map(|r| r[j]).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<Table>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn parses_named_columns_and_skips_comments() {
        let t = Table::parse("t", "# a comment\na, b\n1, 2\n\n3,4.5\n").unwrap();
        assert_eq!(t.columns, ["a", "b"]);
        assert_eq!(t.rows, [vec![1.0, 2.0], vec![3.0, 4.5]]);
        assert_eq!(t.values("b").unwrap(), [2.0, 4.5]);
    }

    #[test]
    fn errors_name_the_row_and_column() {
        let e = message(Table::parse("t", "a,b\n1,2\n3,x\n"));
        assert!(
            e.contains("row 2 (line 3), column `b`") && e.contains("\"x\""),
            "{e}"
        );
        let e = message(Table::parse("t", "a,b\n1,NaN\n"));
        assert!(e.contains("column `b`") && e.contains("finite"), "{e}");
        let e = message(Table::parse("t", "a,b\n1,2,3\n"));
        assert!(e.contains("row 1") && e.contains("3 cells"), "{e}");
        assert!(message(Table::parse("t", "a,b\n")).contains("no rows"));
        assert!(message(Table::parse("t", "")).contains("no header"));
        let t = Table::parse("t", "a,b\n1,2\n").unwrap();
        let e = t.column("income").unwrap_err().to_string();
        assert!(
            e.contains("no column `income`") && e.contains("a, b"),
            "{e}"
        );
    }
}
