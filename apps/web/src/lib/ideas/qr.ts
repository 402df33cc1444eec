import QRCode from 'qrcode';

/** An SVG QR code of a URL (our own address, so the SVG may be inserted as markup). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
}
