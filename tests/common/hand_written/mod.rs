//! Hand-written references for the DSL-declared models: `Problem` implemented directly with
//! burn tensor operations (the implementations before the models moved to `#[bilevel]`), the
//! independent check that the macro generates the same values and derivatives.

pub mod hyperclean;
pub mod peft;
pub mod quadratic;
pub mod regression;
pub mod representation;
pub mod svm;
pub mod toys;
