//! Small dense linear algebra on the host (f64), for closed-form solutions of test problems.
//! Not for large problems: `inv` is Gauss–Jordan, O(n³).

/// A dense matrix as rows.
pub type Mat = Vec<Vec<f64>>;

/// The identity.
pub fn eye(n: usize) -> Mat {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}
/// Rows of `n` entries from a flat row-major slice (none for `n = 0`).
pub fn mat(n: usize, v: &[f64]) -> Mat {
    if n == 0 {
        return vec![];
    }
    v.chunks(n).map(|r| r.to_vec()).collect()
}
/// The transpose.
pub fn t(a: &Mat) -> Mat {
    (0..a.first().map_or(0, Vec::len))
        .map(|j| a.iter().map(|r| r[j]).collect())
        .collect()
}
/// A B.
pub fn mm(a: &Mat, b: &Mat) -> Mat {
    a.iter()
        .map(|r| {
            (0..b.first().map_or(0, Vec::len))
                .map(|j| r.iter().zip(b).map(|(x, br)| x * br[j]).sum())
                .collect()
        })
        .collect()
}
/// A v.
pub fn mv(a: &Mat, v: &[f64]) -> Vec<f64> {
    a.iter()
        .map(|r| r.iter().zip(v).map(|(x, y)| x * y).sum())
        .collect()
}
/// A + s B.
pub fn add(a: &Mat, b: &Mat, s: f64) -> Mat {
    a.iter()
        .zip(b)
        .map(|(r, q)| r.iter().zip(q).map(|(x, y)| x + s * y).collect())
        .collect()
}
/// a + s b.
pub fn vadd(a: &[f64], b: &[f64], s: f64) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + s * y).collect()
}
/// A⁻¹ by Gauss–Jordan elimination with partial pivoting.
pub fn inv(a: &Mat) -> Mat {
    let n = a.len();
    let mut m: Mat = a
        .iter()
        .zip(eye(n))
        .map(|(r, e)| r.iter().cloned().chain(e).collect())
        .collect();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))
            .unwrap();
        m.swap(c, p);
        let d = m[c][c];
        m[c].iter_mut().for_each(|v| *v /= d);
        for r in 0..n {
            if r != c {
                let k = m[r][c];
                let row = m[c].clone();
                m[r].iter_mut().zip(row).for_each(|(v, w)| *v -= k * w);
            }
        }
    }
    m.into_iter().map(|r| r[n..].to_vec()).collect()
}
/// ‖a − b‖₂.
pub fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}
