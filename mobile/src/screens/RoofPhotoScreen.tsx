import { type Schemas, unwrap } from "@helio/api-client";
import * as ImagePicker from "expo-image-picker";
import { useState } from "react";
import { Platform, Text } from "react-native";

import type { Session } from "../api/session";
import { Button, ErrorText, problemText, Screen, styles } from "./ui";

/** The API's upload limit (docs/documents.md); a bigger photo is not sent at all. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/**
 * The multipart body of one photo. On the web the picker hands over a File; on a device,
 * React Native's FormData streams the file behind the uri.
 */
export function photoForm(asset: ImagePicker.ImagePickerAsset): FormData {
  const form = new FormData();
  if (Platform.OS === "web" && asset.file) {
    form.append("file", asset.file);
  } else {
    const part = { uri: asset.uri, name: asset.fileName ?? "roof.jpg", type: asset.mimeType ?? "image/jpeg" };
    form.append("file", part as unknown as Blob);
  }
  return form;
}

/** Take or choose a roof photo and attach it to the home; the server's refusal is shown as it says it. */
export function RoofPhotoScreen({ session, siteId, back }: { session: Session; siteId: string; back: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<Schemas["DocumentRead"] | null>(null);

  const pick = async (source: "camera" | "library") => {
    setError(null);
    setSaved(null);
    const permission = source === "camera" ? await ImagePicker.requestCameraPermissionsAsync() : await ImagePicker.requestMediaLibraryPermissionsAsync();
    if (!permission.granted) {
      setError(source === "camera" ? "Helio may not use the camera: allow it in the settings to take a photo." : "Helio may not open your photos: allow it in the settings.");
      return;
    }
    const options: ImagePicker.ImagePickerOptions = { mediaTypes: ["images"], quality: 0.8, exif: false };
    const result = source === "camera" ? await ImagePicker.launchCameraAsync(options) : await ImagePicker.launchImageLibraryAsync(options);
    const asset = result.canceled ? undefined : result.assets[0];
    if (!asset) return;
    if (asset.fileSize && asset.fileSize > MAX_PHOTO_BYTES) {
      setError("That photo is larger than 10 MB: choose a smaller one.");
      return;
    }
    setBusy(true);
    try {
      const document = await unwrap(
        session.client.POST("/api/v1/sites/{site_id}/documents", {
          params: { path: { site_id: siteId } },
          // fetch sets the multipart boundary itself.
          body: photoForm(asset) as never,
          bodySerializer: (body: unknown) => body as FormData,
        }),
      );
      setSaved(document);
    } catch (e) {
      setError(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title="Roof photo">
      <Text style={styles.muted}>A clear photo of the roof helps the survey. JPEG or PNG, at most 10 MB.</Text>
      <Button label="Take a photo" disabled={busy} onPress={() => void pick("camera")} testID="photo-camera" />
      <Button label="Choose from your photos" disabled={busy} onPress={() => void pick("library")} testID="photo-library" />
      {busy ? <Text>Uploading…</Text> : null}
      {saved ? <Text testID="photo-saved">Roof photo saved.</Text> : null}
      <ErrorText message={error} />
      <Button label="Back" onPress={back} testID="back" />
    </Screen>
  );
}
