'use strict';
/*
 * The #NULL! error, which HyperFormula 3.5.0 lacks. Excel ("#NULL! error", "ERROR.TYPE function")
 * has it as error number 1: a formula reading a cell that holds #NULL! (or the literal #NULL!)
 * gets that error as it gets any other one: IFERROR catches it, ISERROR is TRUE, AND/OR/NOT,
 * arithmetic and text functions return it. Without this an error constant "#NULL!" loaded as the
 * text "#NULL!" (LEN gave 6, IFERROR returned it) and the literal did not parse.
 *
 * HyperFormula's errors are the `ErrorType` values, each with a display text in the language's
 * `errors` table (the text is also how a cell's "#NULL!" or a formula's literal is recognised).
 * Adding NULL to both, before any workbook is built, makes #NULL! a first-class error.
 */
function register(hfModule) {
  const { HyperFormula, ErrorType } = hfModule;
  if (!ErrorType.NULL) ErrorType.NULL = 'NULL';
  for (const code of HyperFormula.getRegisteredLanguagesCodes()) {
    const errors = HyperFormula.getLanguage(code).errors;
    if (errors && !errors.NULL) errors.NULL = '#NULL!';
  }
}

module.exports = { register };
