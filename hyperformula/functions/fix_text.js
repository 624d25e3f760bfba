'use strict';
/*
 * CHAR and CODE as Excel computes them: the character set is Windows-1252 (Excel for Windows)
 * or Mac Roman (Excel for Mac, for a workbook last saved by "Microsoft Macintosh Excel": the
 * engine is told through globalThis.__xlimportCharset), not Latin-1. HyperFormula 3.5.0 maps 128..159 to C1 control characters (CHAR(128) = U+0080) where
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
// Mac Roman 128..255 (the same table as Python's mac_roman codec; checked against the values
// Mac Excel cached for CHAR(128..255)).
const MAC_HIGH = [0xc4, 0xc5, 0xc7, 0xc9, 0xd1, 0xd6, 0xdc, 0xe1, 0xe0, 0xe2, 0xe4, 0xe3, 0xe5, 0xe7, 0xe9, 0xe8, 0xea, 0xeb, 0xed, 0xec, 0xee, 0xef, 0xf1, 0xf3, 0xf2, 0xf4, 0xf6, 0xf5, 0xfa, 0xf9, 0xfb, 0xfc, 0x2020, 0xb0, 0xa2, 0xa3, 0xa7, 0x2022, 0xb6, 0xdf, 0xae, 0xa9, 0x2122, 0xb4, 0xa8, 0x2260, 0xc6, 0xd8, 0x221e, 0xb1, 0x2264, 0x2265, 0xa5, 0xb5, 0x2202, 0x2211, 0x220f, 0x3c0, 0x222b, 0xaa, 0xba, 0x3a9, 0xe6, 0xf8, 0xbf, 0xa1, 0xac, 0x221a, 0x192, 0x2248, 0x2206, 0xab, 0xbb, 0x2026, 0xa0, 0xc0, 0xc3, 0xd5, 0x152, 0x153, 0x2013, 0x2014, 0x201c, 0x201d, 0x2018, 0x2019, 0xf7, 0x25ca, 0xff, 0x178, 0x2044, 0x20ac, 0x2039, 0x203a, 0xfb01, 0xfb02, 0x2021, 0xb7, 0x201a, 0x201e, 0x2030, 0xc2, 0xca, 0xc1, 0xcb, 0xc8, 0xcd, 0xce, 0xcf, 0xcc, 0xd3, 0xd4, 0xf8ff, 0xd2, 0xda, 0xdb, 0xd9, 0x131, 0x2c6, 0x2dc, 0xaf, 0x2d8, 0x2d9, 0x2da, 0xb8, 0x2dd, 0x2db, 0x2c7];
const MAC_TO_CODE = new Map(MAC_HIGH.map((u, i) => [u, 0x80 + i]));

const isMac = () => globalThis.__xlimportCharset === 'mac-roman';

function charOf(code) {
  if (code >= 0x80 && isMac()) return String.fromCharCode(MAC_HIGH[code - 0x80]);
  return code >= 0x80 && code <= 0x9f ? String.fromCharCode(CP1252_HIGH[code - 0x80]) : String.fromCharCode(code);
}

function codeOf(ch) {
  const u = ch.charCodeAt(0);
  if (isMac()) {
    if (u < 0x80) return u;
    return MAC_TO_CODE.has(u) ? MAC_TO_CODE.get(u) : 63;
  }
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
