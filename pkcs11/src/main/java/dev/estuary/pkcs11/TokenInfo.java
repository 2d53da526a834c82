package dev.estuary.pkcs11;

/**
 * A token as its PKCS#11 module describes it (CK_TOKEN_INFO), with the slot that holds it.
 *
 * @param slotId the slot ID, SunPKCS11's {@code slot=} setting (not the slot list index)
 * @param label the token label, trailing blanks removed
 * @param manufacturer the token's manufacturer ID, trailing blanks removed
 * @param model the token's model, trailing blanks removed
 * @param serial the token's serial number, trailing blanks removed
 */
public record TokenInfo(
    long slotId, String label, String manufacturer, String model, String serial) {}
