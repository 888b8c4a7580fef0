import { Text, View } from "react-native";

import { colors } from "./ui";

const MONTHS = ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"];

/** Monthly production as bars (kWh), with the total for screen readers. */
export function ProductionChart({ monthly }: { monthly: number[] }) {
  const max = Math.max(1, ...monthly);
  const total = Math.round(monthly.reduce((a, b) => a + b, 0));
  return (
    <View accessible accessibilityLabel={`Production ${total} kWh a year`} testID="production-chart">
      <View style={{ flexDirection: "row", alignItems: "flex-end", height: 120, gap: 4 }}>
        {monthly.map((kwh, i) => (
          <View key={i} style={{ flex: 1, alignItems: "center" }}>
            <View style={{ width: "100%", height: Math.round((kwh / max) * 110), backgroundColor: colors.accent, borderRadius: 3 }} />
            <Text style={{ fontSize: 10, color: colors.muted }}>{MONTHS[i] ?? ""}</Text>
          </View>
        ))}
      </View>
    </View>
  );
}
