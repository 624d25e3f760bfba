'use strict';
/*
 * ADDRESS as Excel computes it (Microsoft: "ADDRESS function"; values Excel cached in the
 * corpus): row_num, column_num and abs_num are truncated (ADDRESS(23.4,34.7,2) is "AH$23");
 * abs_num other than 1-4, or an absolute row or column outside the sheet (rows 1-1048576,
 * columns 1-16384) is #VALUE! (HyperFormula: #NUM!); a relative R1C1 part may be 0 or negative
 * (R[-1]C, RC). A sheet name that is not a plain name is quoted as in a reference, an
 * apostrophe doubled: ADDRESS(1,1,1,1,"A Wird One$") is "'A Wird One$'!$A$1",
 * ADDRESS(2,3,1,FALSE,"EXCEL SHEET") "'EXCEL SHEET'!R2C3", but "[Book1]Sheet1!R2C3".
 */
const { registerPlugin, makeTools } = require('./info_common');

const MAX_ROW = 1048576;
const MAX_COL = 16384;

function columnLabel(col) {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The sheet name as it is written in a reference: quoted unless a plain name. */
function sheetPrefix(name) {
  if (name === undefined || name === null) return '';
  // A workbook part ("[Book1]Sheet1") is kept as is; the sheet name after it decides.
  const sheet = name.replace(/^\[[^\]]*\]/, '');
  const plain =
    /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\u00C0-\uFFFF]*$/.test(sheet) &&
    !/^[A-Za-z]{1,3}[0-9]+$/.test(sheet) &&
    !/^[RrCc]([0-9]*|[RrCc]?[0-9]*)$/.test(sheet) &&
    !/^[Rr][0-9]*[Cc][0-9]*$/.test(sheet);
  return plain || name === '' ? `${name}!` : `'${name.replace(/'/g, "''")}'!`;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { err } = makeTools(hf);

  class ExcelAddressPlugin extends FunctionPlugin {
    address(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ADDRESS'), (r, c, abs, a1, sheet) => {
        const row = Math.trunc(r);
        const col = Math.trunc(c);
        const mode = Math.trunc(abs);
        if (mode < 1 || mode > 4) return err('VALUE', 'abs_num must be 1 to 4');
        const rowAbsolute = mode === 1 || mode === 2;
        const colAbsolute = mode === 1 || mode === 3;
        const rowOk = (v, absolute) => (absolute || a1 ? v >= 1 && v <= MAX_ROW : Math.abs(v) <= MAX_ROW);
        const colOk = (v, absolute) => (absolute || a1 ? v >= 1 && v <= MAX_COL : Math.abs(v) <= MAX_COL);
        if (!rowOk(row, rowAbsolute) || !colOk(col, colAbsolute)) {
          return err('VALUE', 'row or column outside the sheet');
        }
        const prefix = sheetPrefix(sheet);
        if (a1) {
          return `${prefix}${colAbsolute ? '$' : ''}${columnLabel(col)}${rowAbsolute ? '$' : ''}${row}`;
        }
        const part = (letter, v, absolute) => (absolute ? `${letter}${v}` : v === 0 ? letter : `${letter}[${v}]`);
        return `${prefix}${part('R', row, rowAbsolute)}${part('C', col, colAbsolute)}`;
      });
    }
  }
  ExcelAddressPlugin.implementedFunctions = {
    ADDRESS: {
      method: 'address',
      parameters: [
        { argumentType: T.NUMBER },
        { argumentType: T.NUMBER },
        { argumentType: T.NUMBER, optionalArg: true, defaultValue: 1, emptyAsDefault: true },
        { argumentType: T.BOOLEAN, optionalArg: true, defaultValue: true, emptyAsDefault: true },
        { argumentType: T.STRING, optionalArg: true },
      ],
    },
  };
  return ExcelAddressPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
