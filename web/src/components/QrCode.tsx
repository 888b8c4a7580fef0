import QRCode from "qrcode";

/** An otpauth:// URI as an SVG QR code drawn from its modules (no HTML strings, no data: URLs). */
export function QrCode({ value, label }: { value: string; label: string }) {
  const qr = QRCode.create(value, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  const cells: React.ReactElement[] = [];
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (qr.modules.get(row, col)) cells.push(<rect key={`${row}-${col}`} x={col + 2} y={row + 2} width={1} height={1} />);
    }
  }
  return (
    <svg className="qr" viewBox={`0 0 ${size + 4} ${size + 4}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect width={size + 4} height={size + 4} fill="#fff" />
      <g fill="#000">{cells}</g>
    </svg>
  );
}
