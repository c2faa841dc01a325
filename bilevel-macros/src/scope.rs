//! Name resolution across the declaration: the named sizes (bound by data or constructor
//! arguments), the minibatch groups, and the checks that tie them together.

use syn::Ident;

use crate::ir::{DataKind, Decl, Extent};
use crate::parse::Errors;

/// A named size.
pub struct Size {
    pub name: Ident,
    /// Bound by a data field (otherwise a constructor argument).
    pub from_data: bool,
}

/// A minibatch group: its name, the size that counts its rows, and its fields.
pub struct Group {
    pub name: Ident,
    pub rows: Ident,
    pub fields: Vec<Ident>,
}

/// The sizes and groups of a declaration.
#[derive(Default)]
pub struct Scope {
    pub sizes: Vec<Size>,
    pub groups: Vec<Group>,
}

impl Scope {
    pub fn size(&self, name: &Ident) -> Option<&Size> {
        self.sizes.iter().find(|s| s.name == *name)
    }

    /// The sizes that `new` takes as arguments, in order of first appearance.
    pub fn constructor_sizes(&self) -> impl Iterator<Item = &Size> {
        self.sizes.iter().filter(|s| !s.from_data)
    }

    /// The group whose rows `size` counts.
    pub fn group_of_size(&self, size: &Ident) -> Option<usize> {
        self.groups.iter().position(|g| g.rows == *size)
    }

    /// The group of a data field.
    pub fn group_of_field(&self, field: &Ident) -> Option<usize> {
        self.groups.iter().position(|g| g.fields.contains(field))
    }

    /// The group a shape is read at: that of its first extent.
    pub fn group_of_shape(&self, shape: &[Extent]) -> Option<usize> {
        shape
            .first()
            .and_then(Extent::name)
            .and_then(|n| self.group_of_size(n))
    }
}

fn add_size(sizes: &mut Vec<Size>, name: &Ident, from_data: bool) {
    match sizes.iter_mut().find(|s| s.name == *name) {
        Some(s) => s.from_data |= from_data,
        None => sizes.push(Size {
            name: name.clone(),
            from_data,
        }),
    }
}

/// Collects the sizes and groups, reporting names that clash and groups that do not agree.
pub fn scope(decl: &Decl, errors: &mut Errors) -> Scope {
    let mut s = Scope::default();
    for d in &decl.data {
        for e in d.extents() {
            if let Extent::Name(n) = e {
                add_size(&mut s.sizes, n, true);
            }
        }
    }
    // The other sizes are arguments of `new`, in the order the fields first name them.
    for field in &decl.field_order {
        let block = decl.blocks.iter().find(|b| b.name == *field);
        let extents: Vec<&Extent> = match block {
            Some(b) => b.shape.iter().collect(),
            None => decl
                .data
                .iter()
                .filter(|d| d.name == *field)
                .filter_map(|d| match &d.kind {
                    DataKind::Labels { classes, .. } => classes.as_ref(),
                    _ => None,
                })
                .collect(),
        };
        for n in extents.into_iter().filter_map(Extent::name) {
            add_size(&mut s.sizes, n, false);
        }
    }
    let fields: Vec<&Ident> = decl
        .blocks
        .iter()
        .map(|b| &b.name)
        .chain(decl.data.iter().map(|d| &d.name))
        .chain(decl.lets.iter().map(|l| &l.name))
        .collect();
    let names = fields
        .iter()
        .copied()
        .chain(s.sizes.iter().map(|s| &s.name));
    for name in names {
        let text = name.to_string();
        if text == "device" || text.starts_with("__") {
            errors.push(
                name.span(),
                format!("`{name}` is reserved (`device` is the first argument of `new`, names starting with `__` are generated); rename it"),
            );
        }
    }
    for size in &s.sizes {
        if size.name.to_string().starts_with(char::is_uppercase) {
            errors.push(
                size.name.span(),
                format!("size names are lower-case (`n`, `d`); `{}` reads as a constant: write the extent as a literal", size.name),
            );
        }
        if fields.contains(&&size.name) {
            errors.push(
                size.name.span(),
                format!(
                    "`{}` names both a size and a field or value; rename one of them",
                    size.name
                ),
            );
        }
    }
    groups(decl, &mut s, errors);
    s
}

fn groups(decl: &Decl, s: &mut Scope, errors: &mut Errors) {
    for d in &decl.data {
        let Some(group) = &d.batch else { continue };
        let Some(rows) = d.extents().first().and_then(|e| e.name()).cloned() else {
            errors.push(
                d.name.span(),
                format!("`{}` is batched, so its first extent (its rows) must be a size name such as `n`", d.name),
            );
            continue;
        };
        let taken = s.groups.iter().any(|g| g.rows == rows && g.name != *group);
        match s.groups.iter_mut().find(|g| g.name == *group) {
            Some(g) if g.rows != rows => errors.push(
                rows.span(),
                format!(
                    "the fields of batch group `{group}` must share their rows: `{}` has `{rows}`, `{}` has `{}`",
                    d.name, g.fields[0], g.rows
                ),
            ),
            Some(g) => g.fields.push(d.name.clone()),
            None if taken => errors.push(
                group.span(),
                format!("the size `{rows}` already counts the rows of another batch group; one group per size"),
            ),
            None => s.groups.push(Group {
                name: group.clone(),
                rows,
                fields: vec![d.name.clone()],
            }),
        }
    }
    for d in decl.data.iter().filter(|d| d.batch.is_none()) {
        let first = d.extents().first().and_then(|e| e.name()).cloned();
        if let Some(g) = first.and_then(|n| s.group_of_size(&n)) {
            errors.push(
                d.name.span(),
                format!(
                    "`{}` has the rows `{}` of batch group `{}` but is not in it: add #[data(batch = {})]",
                    d.name, s.groups[g].rows, s.groups[g].name, s.groups[g].name
                ),
            );
        }
    }
    let shapes = decl
        .blocks
        .iter()
        .map(|b| (&b.name, b.shape.iter().collect::<Vec<_>>()))
        .chain(decl.data.iter().map(|d| {
            // Labels index 0..k: a batched k would index rows that a minibatch leaves out.
            let mut all = d.extents();
            if let DataKind::Labels {
                classes: Some(k), ..
            } = &d.kind
            {
                all.push(k);
            }
            (&d.name, all)
        }));
    for (name, shape) in shapes {
        for e in shape.iter().skip(1) {
            if let Some(n) = e.name().filter(|n| s.group_of_size(n).is_some()) {
                errors.push(
                    n.span(),
                    format!("`{name}` names the batched size `{n}` past its first axis; only rows (the first axis) can be read at a minibatch"),
                );
            }
        }
    }
}
