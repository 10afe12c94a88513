"use client";
import dynamic from "next/dynamic";
import type { ComponentProps } from "react";
import type { QRCodeSVG } from "qrcode.react";

type Props = ComponentProps<typeof QRCodeSVG> & { size: number };

const LazyQr = dynamic<Props>(() => import("qrcode.react").then((m) => m.QRCodeSVG), { ssr: false });

/**
 * qrcode.react, loaded when a QR is drawn rather than with the screen's first scripts (the cashier
 * screen shows its form first; the customer display is idle most of the day). A box of the QR's
 * size holds its place meanwhile.
 */
export function QrCode(props: Props) {
  return (
    <div style={{ width: props.size, height: props.size }}>
      <LazyQr {...props} />
    </div>
  );
}
