'use strict';
/*
 * CHAR and CODE as Excel for Windows computes them: the character set is Windows-1252, not
 * Latin-1. HyperFormula 3.5.0 maps 128..159 to C1 control characters (CHAR(128) = U+0080) where
 * Excel gives the Windows-1252 characters (CHAR(128) = "€", CHAR(150) = "–"); CODE is the
 * inverse (CODE("€") = 128). The five codes Windows-1252 leaves undefined (129, 141, 143, 144,
 * 157) map to themselves, as Windows does. Characters outside the set give CODE 63 ("?"), as
 * Excel does for text it cannot encode.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039,
  0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc,
  0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const TO_CODE = new Map(CP1252_HIGH.map((u, i) => [u, 0x80 + i]));

function charOf(code) {
  return code >= 0x80 && code <= 0x9f ? String.fromCharCode(CP1252_HIGH[code - 0x80]) : String.fromCharCode(code);
}

function codeOf(ch) {
  const u = ch.charCodeAt(0);
  if (TO_CODE.has(u)) return TO_CODE.get(u);
  if (u < 0x80 || (u >= 0xa0 && u <= 0xff)) return u;
  return 63;
}

function defineCharPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = hf;

  class ExcelCharPlugin extends FunctionPlugin {
    char(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CHAR'), (value) => {
        const code = Math.trunc(value);
        if (code < 1 || code > 255) return new CellError(ErrorType.VALUE, 'CHAR needs a code from 1 to 255');
        return charOf(code);
      });
    }

    code(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CODE'), (value) => {
        if (value.length === 0) return new CellError(ErrorType.VALUE, 'CODE of an empty text');
        return codeOf(value);
      });
    }
  }
  ExcelCharPlugin.implementedFunctions = {
    CHAR: { method: 'char', parameters: [{ argumentType: FunctionArgumentType.NUMBER }] },
    CODE: { method: 'code', parameters: [{ argumentType: FunctionArgumentType.STRING }] },
  };
  return ExcelCharPlugin;
}

function register(hfModule) {
  const plugin = defineCharPlugin(hfModule);
  hfModule.HyperFormula.registerFunctionPlugin(plugin);
  return plugin;
}

module.exports = { register, defineCharPlugin, charOf, codeOf };
