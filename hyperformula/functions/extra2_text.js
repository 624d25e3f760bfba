'use strict';
/*
 * BAHTTEXT(number), which HyperFormula 3.5.0 lacks (Microsoft's "BAHTTEXT function"): a number
 * as Thai words with the currency "บาท" (baht), "ถ้วน" (exactly) when there are no satang, or
 * the satang (1/100 baht, rounded) followed by "สตางค์". Negative numbers start with "ลบ".
 */
const { registerPlugin } = require('./info_common');

const DIGITS = ['ศูนย์', 'หนึ่ง', 'สอง', 'สาม', 'สี่', 'ห้า', 'หก', 'เจ็ด', 'แปด', 'เก้า'];
const PLACES = ['', 'สิบ', 'ร้อย', 'พัน', 'หมื่น', 'แสน'];
const MILLION = 'ล้าน';

/** Thai words of 0 < n < 1,000,000 (an integer); `more` tells that higher digits precede it
 * (a final 1 is then "เอ็ด"). */
function belowMillion(n, more) {
  const digits = String(n).split('').map(Number).reverse();
  let out = '';
  for (let place = digits.length - 1; place >= 0; place--) {
    const d = digits[place];
    if (d === 0) continue;
    if (place === 1) {
      out += (d === 1 ? '' : d === 2 ? 'ยี่' : DIGITS[d]) + PLACES[1];
    } else if (place === 0 && d === 1 && (more || n > 9)) {
      out += 'เอ็ด';
    } else {
      out += DIGITS[d] + PLACES[place];
    }
  }
  return out;
}

/** Thai words of a positive integer (groups of six digits joined by "ล้าน"). */
function thaiNumber(n) {
  const text = BigInt(n).toString();
  const groups = [];
  for (let end = text.length; end > 0; end -= 6) {
    groups.unshift(Number(text.slice(Math.max(0, end - 6), end)));
  }
  let out = '';
  groups.forEach((g, i) => {
    if (g) out += belowMillion(g, i > 0);
    if (i < groups.length - 1) out += MILLION;
  });
  return out;
}

/** BAHTTEXT's text for a number. */
function bahtText(value) {
  const cents = Math.round(Number((Math.abs(value) * 100).toPrecision(15)));
  const baht = Math.floor(cents / 100);
  const satang = cents % 100;
  if (!baht && !satang) return DIGITS[0] + 'บาทถ้วน';
  let out = value < 0 ? 'ลบ' : '';
  if (baht) out += thaiNumber(baht) + 'บาท';
  out += satang ? belowMillion(satang, false) + 'สตางค์' : 'ถ้วน';
  return out;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;

  class Extra2TextPlugin extends FunctionPlugin {
    bahttext(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BAHTTEXT'), bahtText);
    }
  }

  Extra2TextPlugin.implementedFunctions = {
    BAHTTEXT: { method: 'bahttext', parameters: [{ argumentType: T.NUMBER }] },
  };
  return Extra2TextPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, bahtText };
