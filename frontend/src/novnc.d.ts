// @types/novnc__novnc declares the client as "@novnc/novnc/lib/rfb" (the old
// layout); the 1.7 package exports it as "@novnc/novnc". Map one to the other.
/// <reference types="novnc__novnc" />
declare module '@novnc/novnc' {
  import RFB from '@novnc/novnc/lib/rfb';
  export default RFB;
}
